"""The rule catalogue as Markdown, rendered from the pack data (for docs/compliance.md).

PYTHONPATH=src python -m arrears.compliance.packs.catalogue > rules.md
"""

from __future__ import annotations

import json

from arrears.compliance.packs import PACK_ORDER, Pack, RuleSpec, load_pack


def _params(spec: RuleSpec) -> str:
    if not spec.params:
        return "—"
    parts = []
    for name, value in spec.params.items():
        direction = spec.tighten.get(name)
        note = f" (tighten: {direction})" if direction else " (fixed)"
        parts.append(f"`{name}={json.dumps(value, ensure_ascii=False)}`{note}")
    return "; ".join(parts)


def _channels(spec: RuleSpec) -> str:
    return "all" if spec.channels is None else ", ".join(sorted(spec.channels))


def render_pack(pack: Pack) -> str:
    lines = [
        f"### {pack.code} — version `{pack.version}`",
        "",
        pack.title,
        "",
        "| Rule | Action | Channels | Parameters | Effective | Conf. | Citation |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in pack.rules:
        lines.append(
            f"| {spec.id} | {spec.action} | {_channels(spec)} | {_params(spec)} | "
            f"{spec.effective_from} | {spec.confidence} | {spec.citation} |"
        )
    lines += ["", "Meaning:", ""]
    for spec in pack.rules:
        lines.append(f"- **{spec.id}** — {spec.meaning_zh}  \n  {spec.meaning_en}")
    return "\n".join(lines) + "\n"


def render_catalogue() -> str:
    return "\n".join(render_pack(load_pack(code)) for code in PACK_ORDER)


if __name__ == "__main__":
    print(render_catalogue(), end="")
