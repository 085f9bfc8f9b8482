"""A realistic synthetic Chinese credit card portfolio in the portfolio-v1 format.

Every customer has hidden traits (ability, willingness, answering habits by hour) that drive
the generated history: answer rates depend on the hour and the person, promises are kept or
broken according to ability and willingness, and payments follow. Fully vectorised (numpy,
polars) so a million accounts take seconds, and seeded so the same arguments give the same
files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from arrears.domain.identity import cn_id_check_char

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红娥玲芬燕鹏辉斌宇浩凯健俊帆帅旭宁欣怡佳雪琳晨阳博文昊然子轩梓涵一诺浩宇欣妍雨桐思远志强建国建华秀兰桂兰海燕丹婷倩颖慧"
)
REGIONS = [
    ("110101", "Asia/Shanghai", "北京市东城区"), ("310104", "Asia/Shanghai", "上海市徐汇区"),
    ("440106", "Asia/Shanghai", "广东省广州市天河区"), ("440305", "Asia/Shanghai", "广东省深圳市南山区"),
    ("510104", "Asia/Shanghai", "四川省成都市锦江区"), ("330106", "Asia/Shanghai", "浙江省杭州市西湖区"),
    ("420106", "Asia/Shanghai", "湖北省武汉市武昌区"), ("320102", "Asia/Shanghai", "江苏省南京市玄武区"),
    ("610113", "Asia/Shanghai", "陕西省西安市雁塔区"), ("500103", "Asia/Shanghai", "重庆市渝中区"),
    ("650102", "Asia/Urumqi", "新疆维吾尔自治区乌鲁木齐市天山区"),
]
REGION_WEIGHTS = [0.12, 0.12, 0.11, 0.11, 0.1, 0.1, 0.09, 0.09, 0.07, 0.06, 0.03]
MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199"]
RELATIONS = [("spouse", "配偶"), ("emergency_contact", "父亲"), ("emergency_contact", "母亲"),
             ("emergency_contact", "朋友"), ("emergency_contact", "同事"),
             ("emergency_contact", "兄弟"), ("emergency_contact", "姐妹")]
STREETS = ["建设路", "人民路", "解放路", "中山路", "和平街", "文化路", "新华路", "长江路"]
# Share of accounts per bucket: M1 .. M7+ (DPD ranges of the default ladder).
BUCKET_SHARES = [0.45, 0.2, 0.12, 0.08, 0.05, 0.04, 0.06]
BUCKET_RANGES = [(1, 30), (31, 60), (61, 90), (91, 120), (121, 150), (151, 180), (181, 720)]
HISTORY_DAYS = 60


@dataclass(frozen=True)
class DemoSize:
    customers: int = 10_000
    contacts_per_account: float = 6.5
    seed: int = 20261129


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _cn_ids(rng: np.random.Generator, region_codes: np.ndarray, births: np.ndarray) -> list[str]:
    seq = rng.integers(0, 1000, size=len(births))
    heads = [
        f"{code}{b.strftime('%Y%m%d')}{s:03d}"
        for code, b, s in zip(region_codes, births.astype("datetime64[D]").astype(object), seq, strict=True)
    ]
    return [h + cn_id_check_char(h) for h in heads]


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = rng.choice(MOBILE_PREFIXES, size=n)
    tails = np.char.zfill(rng.integers(0, 100_000_000, size=n).astype(str), 8)
    return np.char.add(np.char.add("+86", prefixes), tails)


def _landlines(rng: np.random.Generator, n: int) -> np.ndarray:
    areas = rng.choice(["010", "021", "020", "0755", "028", "0571", "027", "025"], size=n)
    tails = rng.integers(20_000_000, 79_999_999, size=n).astype(str)  # 800xxxxx are not fixed lines
    return np.char.add(areas, tails)


def _money(cents: np.ndarray) -> list[str | None]:
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]


def generate(out: Path, as_of: date, size: DemoSize = DemoSize(), fmt: str = "csv") -> dict[str, int]:
    """Write a portfolio folder to ``out``; returns the row count of each file."""
    rng = np.random.default_rng(size.seed)
    n = size.customers
    out.mkdir(parents=True, exist_ok=True)

    # Hidden traits of each person.
    ability = rng.beta(2.2, 2.0, n)
    willingness = rng.beta(2.5, 1.8, n)
    answer_base = rng.beta(2.0, 2.5, n)
    best_hour = rng.choice([9, 10, 12, 13, 18, 19, 20], size=n, p=[.1, .1, .15, .1, .15, .25, .15])

    region_idx = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    region_codes = np.array([REGIONS[i][0] for i in region_idx])
    zones = np.array([REGIONS[i][1] for i in region_idx])
    cities = np.array([REGIONS[i][2] for i in region_idx])
    births = (np.datetime64("1962-01-01") + rng.integers(0, 40 * 365, n)).astype("datetime64[D]")
    surname = rng.choice(SURNAMES, size=n)
    given = np.char.add(rng.choice(GIVEN, size=n), np.where(rng.random(n) < 0.6, rng.choice(GIVEN, size=n), ""))
    customer_ids = _ids("C", n, 8)
    income = np.where(rng.random(n) < 0.65, (rng.lognormal(8.9, 0.55, n) * 100).astype(np.int64) * (0.4 + ability), np.nan)
    income_text = [None if np.isnan(v) else f"{int(v) // 100}.{int(v) % 100:02d}" for v in income]
    language = np.where(rng.random(n) < 0.97, "zh", "en")
    pref_channel = rng.choice(["", "call", "sms", "email"], size=n, p=[.6, .2, .15, .05])
    pref_hours = np.where(rng.random(n) < 0.25, np.char.add(np.char.add(best_hour.astype(str), "-"), (best_hour + 2).astype(str)), "")
    address = np.char.add(np.char.add(cities, rng.choice(STREETS, size=n)),
                          np.char.add(rng.integers(1, 300, n).astype(str), "号"))
    customers = pl.DataFrame({
        "customer_id": customer_ids,
        "name": np.char.add(surname, given),
        "national_id": _cn_ids(rng, region_codes, births),
        "birth_date": births.astype(str),
        "language": language,
        "timezone": zones,
        "jurisdiction": np.full(n, "CN"),
        "address": np.where(rng.random(n) < 0.8, address, ""),
        "monthly_income": income_text,
        "preferred_channel": pref_channel,
        "preferred_hours": pref_hours,
    })

    # Contact points: every debtor has a mobile; some home, work, e-mail; emergency contacts.
    mobile_invalid = rng.random(n) < 0.06
    parts = [pl.DataFrame({
        "customer_id": customer_ids, "kind": "mobile", "value": _mobiles(rng, n), "owner": "debtor",
        "relation": "", "consent": "", "status": np.where(mobile_invalid, "invalid", np.where(rng.random(n) < 0.7, "valid", "unknown")),
        "do_not_contact": "false", "source": "application",
    })]
    for kind, share in (("home", 0.3), ("work", 0.25)):
        pick = rng.random(n) < share
        m = int(pick.sum())
        parts.append(pl.DataFrame({
            "customer_id": customer_ids[pick], "kind": kind, "value": _landlines(rng, m),
            "owner": "debtor" if kind == "home" else "debtor", "relation": "", "consent": "",
            "status": np.where(rng.random(m) < 0.1, "invalid", "unknown"),
            "do_not_contact": "false", "source": rng.choice(["application", "customer_update"], size=m),
        }))
    pick = rng.random(n) < 0.2
    m = int(pick.sum())
    parts.append(pl.DataFrame({
        "customer_id": customer_ids[pick], "kind": "email",
        "value": np.char.add(np.char.add("user", customer_ids[pick]), rng.choice(["@163.com", "@qq.com", "@126.com"], size=m)),
        "owner": "debtor", "relation": "", "consent": "", "status": "valid",
        "do_not_contact": "false", "source": "application",
    }))
    pick = rng.random(n) < 0.3
    m = int(pick.sum())
    rel = rng.choice(len(RELATIONS), size=m)
    parts.append(pl.DataFrame({
        "customer_id": customer_ids[pick], "kind": "mobile", "value": _mobiles(rng, m),
        "owner": [RELATIONS[i][0] for i in rel], "relation": [RELATIONS[i][1] for i in rel],
        "consent": np.where(rng.random(m) < 0.5, "true", "false"), "status": "unknown",
        "do_not_contact": np.where(rng.random(m) < 0.08, "true", "false"), "source": "application",
    }))
    points = pl.concat(parts).with_row_index("i").with_columns(
        (pl.lit("P") + (pl.col("i") + 1).cast(pl.Utf8).str.zfill(9)).alias("contact_point_id")
    ).drop("i")
    points = points.select("contact_point_id", *[c for c in points.columns if c != "contact_point_id"])

    # Accounts: one card per customer, aged along a realistic bucket mix.
    bucket = rng.choice(len(BUCKET_SHARES), size=n, p=BUCKET_SHARES)
    low = np.array([BUCKET_RANGES[b][0] for b in bucket])
    high = np.array([BUCKET_RANGES[b][1] for b in bucket])
    dpd = rng.integers(low, high + 1)
    limit = rng.choice([500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 8_000_000], size=n,
                       p=[.2, .25, .2, .15, .12, .08])
    utilisation = np.clip(rng.beta(5, 1.5, n) + dpd / 1000, 0.3, 1.15)
    balance = (limit * utilisation).astype(np.int64)
    fees = (balance * rng.uniform(0.0, 0.02, n)).astype(np.int64)
    interest = (balance * np.minimum(dpd, 360) / 365 * 0.18).astype(np.int64)
    interest = np.minimum(interest, balance - fees - 100)
    principal = balance - fees - interest
    months_due = np.ceil(dpd / 30).astype(np.int64)
    min_payment = np.maximum((balance * 0.1).astype(np.int64), 10_000)
    past_due = np.minimum(min_payment * months_due, balance)
    oldest = np.datetime64(as_of) - dpd
    next_due = np.datetime64(as_of) + rng.integers(1, 28, n)
    open_date = np.datetime64(as_of) - rng.integers(400, 3000, n)
    flag_draw = rng.random(n)
    flags = np.select(
        [flag_draw < 0.01, flag_draw < 0.02, flag_draw < 0.05, flag_draw < 0.07, flag_draw < 0.073,
         flag_draw < 0.074, flag_draw < 0.08],
        ["dispute", "complaint", "hardship", "installment_plan", "cease", "deceased",
         "litigation_authorized"], default="",
    )
    placed = (dpd > 90) & (rng.random(n) < 0.6)
    agency = np.where(placed, rng.choice(["AG01", "AG02", "AG03"], size=n), "")
    accounts = pl.DataFrame({
        "account_id": _ids("A", n, 8), "customer_id": customer_ids, "product": "credit_card",
        "currency": "CNY", "open_date": open_date.astype(str), "credit_limit": _money(limit),
        "balance": _money(balance), "principal": _money(principal), "interest": _money(interest),
        "fees": _money(fees), "min_payment": _money(min_payment), "due_date": next_due.astype(str),
        "past_due_amount": _money(past_due), "oldest_unpaid_due_date": oldest.astype(str),
        "status": "open", "agency_id": agency, "flags": flags,
    })

    # Contact history: answer rates depend on the hour and the person.
    attempts = rng.poisson(size.contacts_per_account * (0.6 + dpd / 400).clip(0.6, 1.6), n)
    owner_idx = np.repeat(np.arange(n), attempts)
    k = len(owner_idx)
    debtor_mobile = points.filter((pl.col("kind") == "mobile") & (pl.col("owner") == "debtor"))
    mobile_ids = debtor_mobile["contact_point_id"].to_numpy()
    email_map = dict(points.filter(pl.col("kind") == "email").select("customer_id", "contact_point_id").iter_rows())
    day = rng.integers(1, HISTORY_DAYS + 1, k)
    hour = rng.choice(np.arange(8, 21), size=k, p=np.array([3, 6, 7, 6, 5, 5, 6, 7, 7, 8, 10, 9, 5]) / 84)
    minute = rng.integers(0, 60, k)
    second = rng.integers(0, 60, k)
    channel = rng.choice(["call", "sms", "email"], size=k, p=[0.78, 0.18, 0.04])
    has_email = np.array([cid in email_map for cid in customer_ids])
    channel = np.where((channel == "email") & ~has_email[owner_idx], "sms", channel)
    near = np.abs(hour - best_hour[owner_idx]) <= 1
    p_answer = np.clip(answer_base[owner_idx] * np.where(near, 1.7, 0.55), 0.02, 0.95)
    answered = rng.random(k) < p_answer
    invalid = mobile_invalid[owner_idx]
    right_party = rng.random(k) < 0.85
    no_answer_kind = rng.choice(["no_answer", "busy", "voicemail"], size=k, p=[0.72, 0.15, 0.13])
    call_outcome = np.where(invalid, "not_in_service", np.where(
        answered, np.where(right_party, "conversation", "answered_other"), no_answer_kind))
    msg_outcome = np.where(invalid & (channel == "sms"), "failed", "delivered")
    outcome = np.where(channel == "call", call_outcome, msg_outcome)
    refused = (outcome == "conversation") & (rng.random(k) < (1 - willingness[owner_idx]) * 0.25)
    outcome = np.where(refused, "refused", outcome)
    promise = (outcome == "conversation") & (rng.random(k) < willingness[owner_idx] * 0.55)
    promise_cents = np.where(promise, np.minimum(past_due[owner_idx], (min_payment[owner_idx] * rng.uniform(0.5, 1.5, k)).astype(np.int64)), 0)
    contact_day = np.datetime64(as_of) - day
    promise_date = contact_day + rng.integers(1, 8, k)
    agent = np.where(agency[owner_idx] != "", np.char.add(agency[owner_idx], np.char.zfill(rng.integers(1, 6, k).astype(str), 2)),
                     np.char.add("G", np.char.zfill(rng.integers(1, 41, k).astype(str), 3)))
    cp = np.where(channel == "email", [email_map.get(c, "") for c in customer_ids[owner_idx]], mobile_ids[owner_idx])
    stamp = np.char.add(np.char.add(np.char.add(contact_day.astype(str), "T"), np.char.zfill(hour.astype(str), 2)),
                        np.char.add(np.char.add(":", np.char.zfill(minute.astype(str), 2)),
                                    np.char.add(np.char.add(":", np.char.zfill(second.astype(str), 2)), "+08:00")))
    order = np.lexsort((stamp, owner_idx))
    contacts = pl.DataFrame({
        "contact_id": _ids("K", k, 10), "account_id": accounts["account_id"].to_numpy()[owner_idx][order],
        "customer_id": customer_ids[owner_idx][order], "contact_point_id": cp[order],
        "channel": channel[order], "direction": "outbound", "at": stamp[order],
        "party": np.where(np.isin(outcome, ["conversation", "refused"]), "debtor",
                          np.where(outcome == "answered_other", "unknown", ""))[order],
        "outcome": outcome[order],
        "promise_amount": np.where(promise, _money(promise_cents), "")[order],
        "promise_date": np.where(promise, promise_date.astype(str), "")[order],
        "complaint": np.where((outcome == "conversation") & (rng.random(k) < 0.004), "true", "false")[order],
        "agent_id": np.where(channel == "call", agent, "")[order],
        "agency_id": agency[owner_idx][order],
    })

    # Payments: kept promises (on time, sometimes partial), plus some unprompted payments.
    keep = promise & (rng.random(k) < (0.25 + 0.7 * ability[owner_idx] * willingness[owner_idx]))
    partial = keep & (rng.random(k) < 0.2)
    pay_cents = np.where(partial, (promise_cents * rng.uniform(0.3, 0.8, k)).astype(np.int64), promise_cents)
    pay_day = np.minimum(promise_date - rng.integers(0, 3, k), np.datetime64(as_of) - 1)
    pay_day = np.maximum(pay_day, contact_day)
    keep_idx = np.nonzero(keep & (pay_cents > 0))[0]
    spontaneous = rng.random(n) < 0.15 * ability
    sp_idx = np.nonzero(spontaneous)[0]
    sp_day = np.datetime64(as_of) - rng.integers(1, HISTORY_DAYS + 1, len(sp_idx))
    sp_cents = (min_payment[sp_idx] * rng.uniform(0.3, 1.2, len(sp_idx))).astype(np.int64) + 1
    pay_owner = np.concatenate([owner_idx[keep_idx], sp_idx])
    pay_days = np.concatenate([pay_day[keep_idx], sp_day])
    pay_amount = np.concatenate([pay_cents[keep_idx], sp_cents])
    pay_hour = rng.integers(8, 23, len(pay_owner))
    m = len(pay_owner)
    payments = pl.DataFrame({
        "payment_id": _ids("Y", m, 9), "account_id": accounts["account_id"].to_numpy()[pay_owner],
        "paid_at": np.char.add(np.char.add(pay_days.astype(str), "T"), np.char.add(np.char.zfill(pay_hour.astype(str), 2), ":30:00+08:00")),
        "amount": _money(pay_amount), "channel": rng.choice(["app", "bank_transfer", "counter", "wechat"], size=m),
        "reversed": np.where(rng.random(m) < 0.01, "true", "false"),
    })

    agencies = pl.DataFrame({
        "agency_id": ["AG01", "AG02", "AG03"], "name": ["华信催收服务有限公司", "诚和资产管理有限公司", "安达信用管理有限公司"],
        "authorized_until": [str(as_of + timedelta(days=300)), str(as_of + timedelta(days=120)), str(as_of + timedelta(days=30))],
        "last_evaluation": [str(as_of - timedelta(days=90)), str(as_of - timedelta(days=200)), str(as_of - timedelta(days=340))],
    })
    agent_ids = [f"G{i:03d}" for i in range(1, 41)] + [f"AG0{a}{i:02d}" for a in (1, 2, 3) for i in range(1, 6)]
    agents = pl.DataFrame({
        "agent_id": agent_ids,
        "agency_id": [""] * 40 + [f"AG0{a}" for a in (1, 2, 3) for _ in range(5)],
        "name": [f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[(i * 7) % len(GIVEN)]}" for i in range(len(agent_ids))],
        "training_valid_until": [str(as_of + timedelta(days=int(d))) for d in rng.integers(-20, 365, len(agent_ids))],
    })
    capacity = pl.DataFrame({
        "channel": ["call"] * 13 + ["sms", "email", "letter"],
        "hour": [str(h) for h in range(8, 21)] + ["*", "*", "*"],
        "max_attempts": [str(max(n // 40, 20))] * 13 + [str(max(n // 4, 50)), str(max(n // 10, 20)), str(max(n // 50, 10))],
    })
    frames = {"customers": customers, "contact_points": points, "accounts": accounts,
              "contacts": contacts, "payments": payments, "agencies": agencies, "agents": agents}
    for name, frame in frames.items():
        frame = frame.with_columns(pl.col(pl.Utf8).replace("", None))
        if fmt == "parquet":
            frame.write_parquet(out / f"{name}.parquet")
        else:
            frame.write_csv(out / f"{name}.csv")
    capacity.write_csv(out / "capacity.csv")
    return {name: frame.height for name, frame in frames.items()}
