"""Build the packaged filtered LDNOOBW Chinese insult lexicon (CC BY 4.0, with attribution).

    python scripts/build_ldnoobw_lexicon.py /work/shared/data/lexicons/ldnoobw-zh.txt \
        > src/arrears/compliance/screening/lexicons/zh_insult_ldnoobw.toml

Words that would block polite collection messages (generic or anatomical words, words that
are also ordinary Chinese: 性, 奶, 幹(=干), 柒 (the banker's numeral seven), 你全家, 妈妈的,
靠背, 打飞机, 13点 ...) are left out; EXCLUDED lists them all so the choice can be reviewed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

_EXCLUDED_WORDS = """
    强奸 轮奸
    13. 13点 十三点 九游 乳 乳房 乳头 小乳头 巨乳 交配 做爱 奶 他奶奶
    他奶奶的 你奶奶的 他妈 他娘 你全家 你妈 你娘 你老闆 你老味 包皮 卵 卵子 处女
    外阴 奸 姦 幹 爛 賤 逼 淫 性 性交 性器 性无能 性爱 成人 激情 屁股 祖宗
    私服 老二 老母 老味 精子 月经 刚度 阴唇 阴户 阴核 阴毛 阴茎 阴道 阴部 陰莖
    阳具 阳萎 龟头 肛交 口交 射精 射你 插你 日你 干你 妈的 妈妈的 娘的 她妈的
    她妈地 靠北 靠母 靠爸 靠背 靠腰 鬼公 白烂 打飞机 打炮 吹箫 玉杵 后庭 野鸡
    花柳 密洞 贝肉 小肉粒 肥西 口肯 鸡吧 机八 几八 懒8 懒八 懒叫 懒教 撒尿 尻
    鳩 撚 柒 粉腸 硬膠 笨實 叫床
"""
EXCLUDED = frozenset(_EXCLUDED_WORDS.split())


def main() -> None:
    words = [w.strip() for w in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()]
    kept = [w for w in words if w and w not in EXCLUDED]
    out = sys.stdout
    out.write('category = "insult"\nlanguage = "zh"\nseverity = "high"\n')
    out.write(
        'source = "LDNOOBW List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words, zh list, '
        'CC BY 4.0 (see NOTICE.md); filtered by scripts/build_ldnoobw_lexicon.py"\n'
    )
    out.write('rules = ["CN-TXT-02"]\nterms = [\n')
    for word in kept:
        out.write(f"  {json.dumps(word, ensure_ascii=False)},\n")
    out.write("]\n")


if __name__ == "__main__":
    main()
