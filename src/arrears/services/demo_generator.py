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
from arrears.domain.money import cents_text

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


def _money(cents: np.ndarray) -> list[str]:
    return [cents_text(c, grouped=False) for c in cents.tolist()]


@dataclass(frozen=True)
class People:
    """Who the customers are, including the traits the history is drawn from (hidden)."""

    ids: np.ndarray
    ability: np.ndarray
    willingness: np.ndarray
    answer_base: np.ndarray
    best_hour: np.ndarray
    mobile_invalid: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Book:
    """The accounts as numbers the history needs (cents, DPD, agency)."""

    ids: np.ndarray
    dpd: np.ndarray
    past_due: np.ndarray
    min_payment: np.ndarray
    agency: np.ndarray


def _people(rng: np.random.Generator, n: int) -> People:
    return People(
        ids=_ids("C", n, 8),
        ability=rng.beta(2.2, 2.0, n),
        willingness=rng.beta(2.5, 1.8, n),
        answer_base=rng.beta(2.0, 2.5, n),
        best_hour=rng.choice([9, 10, 12, 13, 18, 19, 20], size=n, p=[.1, .1, .15, .1, .15, .25, .15]),
        mobile_invalid=rng.random(n) < 0.06,
    )


def _customers(rng: np.random.Generator, people: People) -> pl.DataFrame:
    n = people.n
    region_idx = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    region_codes = np.array([REGIONS[i][0] for i in region_idx])
    cities = np.array([REGIONS[i][2] for i in region_idx])
    births = (np.datetime64("1962-01-01") + rng.integers(0, 40 * 365, n)).astype("datetime64[D]")
    second = np.where(rng.random(n) < 0.6, rng.choice(GIVEN, size=n), "")
    income = rng.lognormal(8.9, 0.55, n) * 100 * (0.4 + people.ability)
    has_income = rng.random(n) < 0.65
    hours = np.char.add(np.char.add(people.best_hour.astype(str), "-"), (people.best_hour + 2).astype(str))
    street = np.char.add(rng.choice(STREETS, size=n), np.char.add(rng.integers(1, 300, n).astype(str), "号"))
    return pl.DataFrame({
        "customer_id": people.ids,
        "name": np.char.add(np.char.add(rng.choice(SURNAMES, size=n), rng.choice(GIVEN, size=n)), second),
        "national_id": _cn_ids(rng, region_codes, births),
        "birth_date": births.astype(str),
        "language": np.where(rng.random(n) < 0.97, "zh", "en"),
        "timezone": np.array([REGIONS[i][1] for i in region_idx]),
        "jurisdiction": np.full(n, "CN"),
        "address": np.where(rng.random(n) < 0.8, np.char.add(cities, street), ""),
        "monthly_income": [cents_text(int(v), grouped=False) if keep else None
                           for v, keep in zip(income, has_income, strict=True)],
        "preferred_channel": rng.choice(["", "call", "sms", "email"], size=n, p=[.6, .2, .15, .05]),
        "preferred_hours": np.where(rng.random(n) < 0.25, hours, ""),
    })


def _points_frame(ids: np.ndarray, kind: str, values: np.ndarray, **columns: object) -> pl.DataFrame:
    base: dict[str, object] = {"customer_id": ids, "kind": kind, "value": values, "owner": "debtor",
                               "relation": "", "consent": "", "status": "unknown",
                               "do_not_contact": "false", "source": "application"}
    return pl.DataFrame({**base, **columns})


def _contact_points(rng: np.random.Generator, people: People) -> pl.DataFrame:
    n, ids = people.n, people.ids
    status = np.where(people.mobile_invalid, "invalid", np.where(rng.random(n) < 0.7, "valid", "unknown"))
    parts = [_points_frame(ids, "mobile", _mobiles(rng, n), status=status)]
    for kind, share in (("home", 0.3), ("work", 0.25)):
        pick = rng.random(n) < share
        m = int(pick.sum())
        parts.append(_points_frame(
            ids[pick], kind, _landlines(rng, m), status=np.where(rng.random(m) < 0.1, "invalid", "unknown"),
            source=rng.choice(["application", "customer_update"], size=m)))
    pick = rng.random(n) < 0.2
    domains = rng.choice(["@163.com", "@qq.com", "@126.com"], size=int(pick.sum()))
    parts.append(_points_frame(ids[pick], "email", np.char.add(np.char.add("user", ids[pick]), domains),
                               status="valid"))
    pick = rng.random(n) < 0.3
    m = int(pick.sum())
    rel = rng.choice(len(RELATIONS), size=m)
    parts.append(_points_frame(
        ids[pick], "mobile", _mobiles(rng, m), owner=[RELATIONS[i][0] for i in rel],
        relation=[RELATIONS[i][1] for i in rel], consent=np.where(rng.random(m) < 0.5, "true", "false"),
        do_not_contact=np.where(rng.random(m) < 0.08, "true", "false")))
    points = pl.concat(parts).with_row_index("i").with_columns(
        (pl.lit("P") + (pl.col("i") + 1).cast(pl.Utf8).str.zfill(9)).alias("contact_point_id")
    ).drop("i")
    return points.select("contact_point_id", *[c for c in points.columns if c != "contact_point_id"])


def _accounts(rng: np.random.Generator, people: People, as_of: date) -> tuple[pl.DataFrame, Book]:
    n = people.n
    bucket = rng.choice(len(BUCKET_SHARES), size=n, p=BUCKET_SHARES)
    low = np.array([BUCKET_RANGES[b][0] for b in bucket])
    high = np.array([BUCKET_RANGES[b][1] for b in bucket])
    dpd = rng.integers(low, high + 1)
    limit = rng.choice([500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 8_000_000], size=n,
                       p=[.2, .25, .2, .15, .12, .08])
    balance = (limit * np.clip(rng.beta(5, 1.5, n) + dpd / 1000, 0.3, 1.15)).astype(np.int64)
    fees = (balance * rng.uniform(0.0, 0.02, n)).astype(np.int64)
    interest = np.minimum((balance * np.minimum(dpd, 360) / 365 * 0.18).astype(np.int64), balance - fees - 100)
    min_payment = np.maximum((balance * 0.1).astype(np.int64), 10_000)
    past_due = np.minimum(min_payment * np.ceil(dpd / 30).astype(np.int64), balance)
    today = np.datetime64(as_of)
    draw = rng.random(n)
    flags = np.select(
        [draw < 0.01, draw < 0.02, draw < 0.05, draw < 0.07, draw < 0.073, draw < 0.074, draw < 0.08],
        ["dispute", "complaint", "hardship", "installment_plan", "cease", "deceased", "litigation_authorized"],
        default="",
    )
    agency = np.where((dpd > 90) & (rng.random(n) < 0.6), rng.choice(["AG01", "AG02", "AG03"], size=n), "")
    ids = _ids("A", n, 8)
    frame = pl.DataFrame({
        "account_id": ids, "customer_id": people.ids, "product": "credit_card", "currency": "CNY",
        "open_date": (today - rng.integers(400, 3000, n)).astype(str), "credit_limit": _money(limit),
        "balance": _money(balance), "principal": _money(balance - fees - interest),
        "interest": _money(interest), "fees": _money(fees), "min_payment": _money(min_payment),
        "due_date": (today + rng.integers(1, 28, n)).astype(str), "past_due_amount": _money(past_due),
        "oldest_unpaid_due_date": (today - dpd).astype(str), "status": "open", "agency_id": agency,
        "flags": flags,
    })
    return frame, Book(ids, dpd, past_due, min_payment, agency)


def _stamp(days: np.ndarray, hour: np.ndarray, minute: np.ndarray, second: np.ndarray) -> np.ndarray:
    clock = np.char.add(np.char.add(np.char.zfill(hour.astype(str), 2), ":"), np.char.zfill(minute.astype(str), 2))
    clock = np.char.add(np.char.add(clock, ":"), np.char.zfill(second.astype(str), 2))
    return np.char.add(np.char.add(np.char.add(days.astype(str), "T"), clock), "+08:00")


@dataclass(frozen=True)
class History:
    frame: pl.DataFrame
    owner: np.ndarray  # index of the customer of each attempt
    promise: np.ndarray
    promise_cents: np.ndarray
    promise_date: np.ndarray
    day: np.ndarray


def _contacts(
    rng: np.random.Generator, people: People, book: Book, points: pl.DataFrame, as_of: date, *, per_account: float
) -> History:
    """Attempts whose answer rate depends on the hour and the person; promises by willingness."""
    n = people.n
    attempts = rng.poisson(per_account * (0.6 + book.dpd / 400).clip(0.6, 1.6), n)
    owner = np.repeat(np.arange(n), attempts)
    k = len(owner)
    mobile_ids = points.filter((pl.col("kind") == "mobile") & (pl.col("owner") == "debtor"))[
        "contact_point_id"].to_numpy()
    emails = dict(points.filter(pl.col("kind") == "email").select("customer_id", "contact_point_id").iter_rows())
    hour = rng.choice(np.arange(8, 21), size=k, p=np.array([3, 6, 7, 6, 5, 5, 6, 7, 7, 8, 10, 9, 5]) / 84)
    channel = rng.choice(["call", "sms", "email"], size=k, p=[0.78, 0.18, 0.04])
    has_email = np.array([cid in emails for cid in people.ids])
    channel = np.where((channel == "email") & ~has_email[owner], "sms", channel)
    near = np.abs(hour - people.best_hour[owner]) <= 1
    answered = rng.random(k) < np.clip(people.answer_base[owner] * np.where(near, 1.7, 0.55), 0.02, 0.95)
    invalid = people.mobile_invalid[owner]
    missed = rng.choice(["no_answer", "busy", "voicemail"], size=k, p=[0.72, 0.15, 0.13])
    spoke = np.where(rng.random(k) < 0.85, "conversation", "answered_other")
    outcome = np.where(channel == "call", np.where(invalid, "not_in_service", np.where(answered, spoke, missed)),
                       np.where(invalid & (channel == "sms"), "failed", "delivered"))
    refused = (outcome == "conversation") & (rng.random(k) < (1 - people.willingness[owner]) * 0.25)
    outcome = np.where(refused, "refused", outcome)
    promise = (outcome == "conversation") & (rng.random(k) < people.willingness[owner] * 0.55)
    offered = (book.min_payment[owner] * rng.uniform(0.5, 1.5, k)).astype(np.int64)
    promise_cents = np.where(promise, np.minimum(book.past_due[owner], offered), 0)
    day = np.datetime64(as_of) - rng.integers(1, HISTORY_DAYS + 1, k)
    promise_date = day + rng.integers(1, 8, k)
    agency = book.agency[owner]
    agent = np.where(agency != "", np.char.add(agency, np.char.zfill(rng.integers(1, 6, k).astype(str), 2)),
                     np.char.add("G", np.char.zfill(rng.integers(1, 41, k).astype(str), 3)))
    point = np.where(channel == "email", [emails.get(c, "") for c in people.ids[owner]], mobile_ids[owner])
    stamp = _stamp(day, hour, rng.integers(0, 60, k), rng.integers(0, 60, k))
    order = np.lexsort((stamp, owner))
    frame = pl.DataFrame({
        "contact_id": _ids("K", k, 10), "account_id": book.ids[owner][order],
        "customer_id": people.ids[owner][order], "contact_point_id": point[order],
        "channel": channel[order], "direction": "outbound", "at": stamp[order],
        "party": np.where(np.isin(outcome, ["conversation", "refused"]), "debtor",
                          np.where(outcome == "answered_other", "unknown", ""))[order],
        "outcome": outcome[order],
        "promise_amount": np.where(promise, _money(promise_cents), "")[order],
        "promise_date": np.where(promise, promise_date.astype(str), "")[order],
        "complaint": np.where((outcome == "conversation") & (rng.random(k) < 0.004), "true", "false")[order],
        "agent_id": np.where(channel == "call", agent, "")[order],
        "agency_id": agency[order],
    })
    return History(frame, owner, promise, promise_cents, promise_date, day)


def _payments(rng: np.random.Generator, people: People, book: Book, history: History, as_of: date) -> pl.DataFrame:
    """Kept promises (on time, sometimes partial) and some payments nobody asked for."""
    owner = history.owner
    k = len(owner)
    keep = history.promise & (rng.random(k) < 0.25 + 0.7 * people.ability[owner] * people.willingness[owner])
    partial = keep & (rng.random(k) < 0.2)
    cents = np.where(partial, (history.promise_cents * rng.uniform(0.3, 0.8, k)).astype(np.int64),
                     history.promise_cents)
    paid_day = np.maximum(np.minimum(history.promise_date - rng.integers(0, 3, k), np.datetime64(as_of) - 1),
                          history.day)
    kept = np.nonzero(keep & (cents > 0))[0]
    unprompted = np.nonzero(rng.random(people.n) < 0.15 * people.ability)[0]
    days = np.concatenate([paid_day[kept], np.datetime64(as_of) - rng.integers(1, HISTORY_DAYS + 1, len(unprompted))])
    amounts = np.concatenate([
        cents[kept], (book.min_payment[unprompted] * rng.uniform(0.3, 1.2, len(unprompted))).astype(np.int64) + 1])
    who = np.concatenate([owner[kept], unprompted])
    m = len(who)
    return pl.DataFrame({
        "payment_id": _ids("Y", m, 9), "account_id": book.ids[who],
        "paid_at": _stamp(days, rng.integers(8, 23, m), np.full(m, 30), np.zeros(m, dtype=int)),
        "amount": _money(amounts), "channel": rng.choice(["app", "bank_transfer", "counter", "wechat"], size=m),
        "reversed": np.where(rng.random(m) < 0.01, "true", "false"),
    })


def _operation(rng: np.random.Generator, n: int, as_of: date) -> dict[str, pl.DataFrame]:
    """Agencies with mandates and evaluations, agents with training dates, hourly capacity."""
    def days(d: int) -> str:
        return str(as_of + timedelta(days=d))

    agencies = pl.DataFrame({
        "agency_id": ["AG01", "AG02", "AG03"],
        "name": ["华信催收服务有限公司", "诚和资产管理有限公司", "安达信用管理有限公司"],
        "authorized_until": [days(300), days(120), days(30)],
        "last_evaluation": [days(-90), days(-200), days(-340)],
    })
    agent_ids = [f"G{i:03d}" for i in range(1, 41)] + [f"AG0{a}{i:02d}" for a in (1, 2, 3) for i in range(1, 6)]
    agents = pl.DataFrame({
        "agent_id": agent_ids,
        "agency_id": [""] * 40 + [f"AG0{a}" for a in (1, 2, 3) for _ in range(5)],
        "name": [f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[(i * 7) % len(GIVEN)]}" for i in range(len(agent_ids))],
        "training_valid_until": [days(int(d)) for d in rng.integers(-20, 365, len(agent_ids))],
    })
    capacity = pl.DataFrame({
        "channel": ["call"] * 13 + ["sms", "email", "letter"],
        "hour": [str(h) for h in range(8, 21)] + ["*", "*", "*"],
        "max_attempts": [str(max(n // 40, 20))] * 13
        + [str(max(n // 4, 50)), str(max(n // 10, 20)), str(max(n // 50, 10))],
    })
    return {"agencies": agencies, "agents": agents, "capacity": capacity}


def generate(out: Path, as_of: date, size: DemoSize = DemoSize(), fmt: str = "csv") -> dict[str, int]:
    """Write a portfolio folder to ``out``; returns the row count of each portfolio file."""
    rng = np.random.default_rng(size.seed)
    out.mkdir(parents=True, exist_ok=True)
    people = _people(rng, size.customers)
    customers = _customers(rng, people)
    points = _contact_points(rng, people)
    accounts, book = _accounts(rng, people, as_of)
    history = _contacts(rng, people, book, points, as_of, per_account=size.contacts_per_account)
    payments = _payments(rng, people, book, history, as_of)
    operation = _operation(rng, size.customers, as_of)
    frames = {"customers": customers, "contact_points": points, "accounts": accounts,
              "contacts": history.frame, "payments": payments,
              "agencies": operation["agencies"], "agents": operation["agents"]}
    for name, frame in frames.items():
        cleaned = frame.with_columns(pl.col(pl.Utf8).replace("", None))
        if fmt == "parquet":
            cleaned.write_parquet(out / f"{name}.parquet")
        else:
            cleaned.write_csv(out / f"{name}.csv")
    operation["capacity"].write_csv(out / "capacity.csv")
    return {name: frame.height for name, frame in frames.items()}
