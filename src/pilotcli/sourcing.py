"""How strong a source is, and how much confidence its sources allow a figure (docs/data.md).

- A source's strength: `high` for official statistics, a government, a regulator or an
  index publisher read at its own url; `medium` for a news outlet or a law firm or
  consultancy read at its own url; `low` for anything read only through a copy (`via`),
  and for any secondary or mirror source.
- A figure may be `high` when one of its sources is high, or when two independent
  sources (`source` and `also`) are both at least medium; `medium` when one is medium;
  otherwise `low`.
- No source's `url` may be on a mirror or content-farm host: a copy goes in `via`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from urllib.parse import urlsplit

from pilotcli.records import Source

Level = Literal["high", "medium", "low"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")

OFFICIAL_KINDS = frozenset({"official-statistics", "government", "regulator", "index-publisher"})
REPORTING_KINDS = frozenset({"news", "law-or-consultancy"})

MIRROR_HOSTS = (
    # Content farms and repost hosts that copy statistics communiques and news.
    "hongheiku.com",
    "reportify.ai",
    "54sdr.cn",
    "qubk.net",
    "fx361.cc",
    "fx361.com",
    "av069.com",
    "myxzyy.cn",
    "yaliqi.com",
    "wanbiaoku.com",
    "fengdujob.com",
    "bsbk.net",
    "creaders.net",
    "tellerreport.com",
    "zhonghuashu.com",
    "sf024.com",
    "kupet.cn",
    "maigoo.com",
    "ksvobode.com",
    # Aggregators, user-written encyclopedias, Q&A and self-media platforms.
    "toutiao.com",
    "inews.qq.com",
    "baike.baidu.com",
    "baike.sogou.com",
    "baike.so.com",
    "zhihu.com",
    "github.com",
    "githubusercontent.com",
    "sohu.com/a/",
    "163.com/dy/",
)
"""Hosts (a host and its subdomains; with a path: only under that path) whose pages are
copies, never the original publication. A url there goes in `via`."""


def mirror_entry(url: str) -> str | None:
    """The MIRROR_HOSTS entry this url falls under, None if none."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    for entry in MIRROR_HOSTS:
        domain, _, path = entry.partition("/")
        if (host == domain or host.endswith("." + domain)) and parts.path.startswith("/" + path):
            return entry
    return None


def strength(source: Source) -> Level:
    if source.url is not None and source.via is None:
        if source.kind in OFFICIAL_KINDS:
            return "high"
        if source.kind in REPORTING_KINDS:
            return "medium"
    return "low"


def why(source: Source) -> str:
    """Why a source has its strength, in a few words."""
    if source.kind in ("secondary", "mirror"):
        return f"a {source.kind} source"
    if source.via is not None:
        return "read only through a copy (via)"
    if source.url is None:
        return "no url of the original"
    return f"{source.kind} read at its url"


def allowed(strengths: Iterable[Level]) -> Level:
    """The strongest confidence a figure backed by sources of these strengths may carry."""
    found = list(strengths)
    if "high" in found or sum(1 for s in found if s != "low") >= 2:
        return "high"
    return "medium" if "medium" in found else "low"


RULE = {
    "high": "'high' needs an official or index source read at its url, or two sources of at least medium",
    "medium": "'medium' needs a news or law-firm source read at its url (or better)",
}
