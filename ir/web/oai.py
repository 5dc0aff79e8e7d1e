"""OAI-PMH 2.0 at ``/oai``: the repository is harvestable by aggregators and union catalogues.

- The six verbs (Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords) by GET
  or POST; every error the protocol names (badVerb, badArgument, cannotDisseminateFormat, idDoesNotExist,
  noRecordsMatch, badResumptionToken, noMetadataFormats), in HTTP 200 responses as the protocol asks.
- Items are works, identified ``oai:{repository_identifier}:{work_id}``; the datestamp is when the work last
  changed (seconds, UTC). Works merged into another or split up are deleted records (``deletedRecord``
  persistent): a harvester learns that they are gone.
- Formats: ``oai_dc`` and ``mods`` (MODS 3.7), see :mod:`ir.web.oai_records`.
- Sets: ``dept`` and ``dept:{org_id}`` per unit of organizations.csv (a unit's set holds its sub-units'
  works too), ``year`` and ``year:{YYYY}``.
- Resumption tokens are stateless (the query and the position of the last item, keyset on (datestamp, id),
  with a checksum); a list's ``until`` is fixed when it starts, so items changed during a harvest do not
  shift its pages. ``completeListSize`` and ``cursor`` are given.

Settings: the ``[oai]`` section (:class:`~ir.web.oai_settings.OaiSettings`, ``config.oai``), which the app
takes once, when it is created (``app.state.oai``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response
from lxml import etree

from ir.store import Store
from ir.store.tables.attribution import authorships, dict_organizations
from ir.store.tables.ingest import source_records
from ir.store.tables.works import work_members, works
from ir.web.oai_records import BUILDERS, FORMATS, OaiWork
from ir.web.oai_settings import OaiSettings

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
VERBS = {  # verb -> (required, optional, exclusive) arguments
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}
NOT_IN_SETS = ("rejected", "external")  # authorship statuses that put no work in a unit's set
_SET_SAFE = re.compile(r"[^A-Za-z0-9\-_.!*'()]")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


router = APIRouter()


@router.api_route("/oai", methods=["GET", "POST"], include_in_schema=False)
async def oai_endpoint(request: Request) -> Response:
    if request.method == "POST":
        form = await request.form()
        items = [(k, str(v)) for k, v in form.multi_items()]
    else:
        items = list(request.query_params.multi_items())
    cfg: OaiSettings = request.app.state.oai
    base = cfg.base_url or str(request.url.replace(query=None))
    site = str(request.base_url).rstrip("/")
    body = respond(request.app.state.store, cfg, base, items, site=site)
    return Response(content=body, media_type="text/xml; charset=utf-8")


def respond(store: Store, cfg: OaiSettings, base_url: str, items: list[tuple[str, str]], site: str = "",
            now: dt.datetime | None = None) -> bytes:
    """The whole response to one request (its arguments as given), as UTF-8 XML bytes."""
    now = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    etree.SubElement(root, "responseDate").text = stamp(now)
    req = etree.SubElement(root, "request")
    req.text = base_url
    try:
        args = _arguments(items)
        for k, v in args.items():
            req.set(k, v)
        Repository(store, cfg, site, now).answer(root, args)
    except OaiError as exc:
        if exc.code in ("badVerb", "badArgument"):
            req.attrib.clear()  # the request element echoes only valid requests' arguments
        for child in root[2:]:
            root.remove(child)
        etree.SubElement(root, "error", code=exc.code).text = exc.message
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _arguments(items: list[tuple[str, str]]) -> dict[str, str]:
    args: dict[str, str] = {}
    for k, v in items:
        if k in args:
            raise OaiError("badVerb" if k == "verb" else "badArgument", f"argument {k!r} given more than once")
        args[k] = v
    verb = args.get("verb")
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb" if verb else "no verb given")
    required, optional, exclusive = VERBS[verb]
    given = set(args) - {"verb"}
    if exclusive and exclusive in given:
        if given != {exclusive}:
            raise OaiError("badArgument", f"{exclusive} is an exclusive argument")
        return args
    unknown = given - set(required) - set(optional)
    if unknown:
        raise OaiError("badArgument", f"{verb} does not take {', '.join(sorted(unknown))}")
    missing = [k for k in required if not args.get(k)]
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}")
    return args


def stamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(value: str, end: bool = False) -> tuple[dt.datetime, str]:
    """An OAI datestamp (day or second granularity) -> (datetime, granularity). ``end``: the instant just
    after the given day or second, for an inclusive ``until``."""
    for pattern, fmt, step, grain in ((_DAY, "%Y-%m-%d", dt.timedelta(days=1), "day"),
                                      (_SECOND, "%Y-%m-%dT%H:%M:%SZ", dt.timedelta(seconds=1), "second")):
        if pattern.match(value):
            try:
                d = dt.datetime.strptime(value, fmt).replace(tzinfo=dt.timezone.utc)
            except ValueError:
                break  # the shape of a date, but not a date (month 13)
            return (d + step if end else d), grain
    raise OaiError("badArgument", f"{value!r} is not a UTC datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")


def set_spec(kind: str, value: str) -> str:
    """'dept:HUT-CHE', 'year:2021': characters a setSpec may not hold become ~XX (hex)."""
    return f"{kind}:" + _SET_SAFE.sub(lambda m: "".join(f"~{b:02X}" for b in m.group(0).encode()), value)


def unspec(value: str) -> str:
    return re.sub(r"(?:~[0-9A-F]{2})+", lambda m: bytes.fromhex(m.group(0).replace("~", "")).decode(
        "utf-8", "replace"), value)


# ------------------------------------------------------------------------------ resumption tokens

def make_token(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    check = hashlib.sha1(raw).hexdigest()[:10]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + check


def read_token(token: str, now: dt.datetime) -> dict:
    try:
        body, check = token.rsplit(".", 1)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if hashlib.sha1(raw).hexdigest()[:10] != check:
            raise ValueError("checksum")
        state = json.loads(raw)
        assert isinstance(state, dict) and state["v"] in ("ListIdentifiers", "ListRecords", "ListSets")
    except Exception:  # noqa: BLE001 - whatever is wrong with it, it is a bad token
        raise OaiError("badResumptionToken", "the resumption token is not one this repository issued") from None
    if state.get("x", 0) < now.timestamp():
        raise OaiError("badResumptionToken", "the resumption token has expired: start the list again")
    return state


# ------------------------------------------------------------------------------ the repository

class Repository:
    def __init__(self, store: Store, cfg: OaiSettings, site: str, now: dt.datetime):
        self.store, self.cfg, self.site, self.now = store, cfg, site, now
        self.prefix = f"oai:{cfg.repository_identifier}:"

    def answer(self, root, args: dict) -> None:
        getattr(self, args["verb"])(root, args)

    # -------------------------------------------------------------------------------- verbs
    def Identify(self, root, args) -> None:  # noqa: N802 - the protocol's verbs
        with self.store.connect() as conn:
            earliest = conn.execute(sa.select(sa.func.min(works.c.updated_at))).scalar()
        el = etree.SubElement(root, "Identify")
        for tag, text in (("repositoryName", self.cfg.repository_name), ("baseURL", root[1].text),
                          ("protocolVersion", "2.0"), ("adminEmail", self.cfg.admin_email),
                          ("earliestDatestamp", stamp(earliest) if earliest else "1970-01-01T00:00:00Z"),
                          ("deletedRecord", "persistent"), ("granularity", "YYYY-MM-DDThh:mm:ssZ")):
            etree.SubElement(el, tag).text = text

    def ListMetadataFormats(self, root, args) -> None:  # noqa: N802
        if "identifier" in args:
            self._work_row(args["identifier"])  # idDoesNotExist when unknown
        el = etree.SubElement(root, "ListMetadataFormats")
        for prefix, (schema, ns) in FORMATS.items():
            fmt = etree.SubElement(el, "metadataFormat")
            etree.SubElement(fmt, "metadataPrefix").text = prefix
            etree.SubElement(fmt, "schema").text = schema
            etree.SubElement(fmt, "metadataNamespace").text = ns

    def ListSets(self, root, args) -> None:  # noqa: N802
        if "resumptionToken" in args:
            read_token(args["resumptionToken"], self.now)
            raise OaiError("badResumptionToken", "ListSets is answered whole: it issues no resumption tokens")
        el = etree.SubElement(root, "ListSets")
        with self.store.connect() as conn:
            units = conn.execute(sa.select(dict_organizations.c.org_id, dict_organizations.c.name_en,
                                           dict_organizations.c.name_zh).order_by(dict_organizations.c.org_id)).all()
            years = [y for (y,) in conn.execute(sa.select(works.c.year).where(works.c.year.isnot(None))
                                                .distinct().order_by(works.c.year))]
        entries = [("dept", "Departments and other units")]
        entries += [(set_spec("dept", org), name_en or name_zh or org) for org, name_en, name_zh in units]
        entries += [("year", "Publication years")] + [(f"year:{y}", f"Published in {y}") for y in years]
        for spec, name in entries:
            s = etree.SubElement(el, "set")
            etree.SubElement(s, "setSpec").text = spec
            etree.SubElement(s, "setName").text = name

    def GetRecord(self, root, args) -> None:  # noqa: N802
        prefix = self._format(args["metadataPrefix"])
        row = self._work_row(args["identifier"])
        with self.store.connect() as conn:
            item = self._items(conn, [row], full=True)[0]
        record = etree.SubElement(etree.SubElement(root, "GetRecord"), "record")
        self._record(record, item, prefix)

    def ListIdentifiers(self, root, args) -> None:  # noqa: N802
        self._list(root, args, full=False)

    def ListRecords(self, root, args) -> None:  # noqa: N802
        self._list(root, args, full=True)

    # -------------------------------------------------------------------------------- lists
    def _list(self, root, args: dict, full: bool) -> None:
        verb = args["verb"]
        if "resumptionToken" in args:
            state = read_token(args["resumptionToken"], self.now)
            if state["v"] != verb:
                raise OaiError("badResumptionToken", f"the resumption token belongs to {state['v']}")
        else:
            state = self._new_list(verb, args)
        prefix = state["m"]
        with self.store.connect() as conn:
            q = self._query(conn, state)
            if state.get("n") is None:
                state["n"] = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar()
                if not state["n"]:
                    raise OaiError("noRecordsMatch", "no item matches the request")
            rows = conn.execute(q.order_by(works.c.updated_at, works.c.work_id).limit(self.cfg.page_size + 1)).all()
            more = len(rows) > self.cfg.page_size
            rows = rows[: self.cfg.page_size]
            items = self._items(conn, rows, full)
        el = etree.SubElement(root, verb)
        for item in items:
            self._record(etree.SubElement(el, "record"), item, prefix) if full else self._header(el, item)
        cursor = state.get("c", 0)
        if more or "after" in state:  # a list in pages ends with an empty token
            tok = etree.SubElement(el, "resumptionToken", completeListSize=str(state["n"]), cursor=str(cursor))
            if more:
                last = rows[-1]
                nxt = {**state, "after": [_iso(last.updated_at), last.work_id], "c": cursor + len(rows),
                       "x": int(self.now.timestamp()) + 3600 * self.cfg.token_hours}
                tok.text = make_token(nxt)
                tok.set("expirationDate", stamp(dt.datetime.fromtimestamp(nxt["x"], dt.timezone.utc)))

    def _new_list(self, verb: str, args: dict) -> dict:
        prefix = self._format(args["metadataPrefix"])
        state: dict = {"v": verb, "m": prefix, "s": args.get("set"), "n": None, "c": 0}
        grains = set()
        if args.get("from"):
            state["f"], g = _iso_g(parse_stamp(args["from"]))
            grains.add(g)
        if args.get("until"):
            state["u"], g = _iso_g(parse_stamp(args["until"], end=True))
            grains.add(g)
        else:
            state["u"] = _iso(self.now + dt.timedelta(seconds=1))  # the list is what existed when it began
        if len(grains) > 1:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if state.get("f") and state["f"] >= state["u"]:
            raise OaiError("badArgument", "from is later than until")
        if state["s"]:
            self._check_set(state["s"])
        return state

    def _query(self, conn, state: dict):
        cols = (works.c.work_id, works.c.status, works.c.updated_at, works.c.year)
        q = sa.select(*cols).where(works.c.updated_at < _dt(state["u"]))
        if state.get("f"):
            q = q.where(works.c.updated_at >= _dt(state["f"]))
        if state.get("after"):
            ts, wid = _dt(state["after"][0]), state["after"][1]
            q = q.where(sa.tuple_(works.c.updated_at, works.c.work_id) > sa.tuple_(sa.literal(ts, works.c.updated_at.type),
                                                                                   sa.literal(wid)))
        spec = state.get("s")
        if spec and spec.startswith("year:"):
            q = q.where(works.c.year == int(spec[5:]))
        elif spec == "year":
            q = q.where(works.c.year.isnot(None))
        elif spec and spec.startswith("dept"):
            units = self._units_under(conn, unspec(spec[5:]) if ":" in spec else None)
            member = sa.select(authorships.c.work_id).where(authorships.c.org_id.in_(units),
                                                           authorships.c.status.not_in(NOT_IN_SETS))
            q = q.where(works.c.work_id.in_(member))
        return q

    def _check_set(self, spec: str) -> None:
        if spec in ("dept", "year") or re.match(r"^year:\d{4}$", spec):
            return
        if spec.startswith("dept:"):
            with self.store.connect() as conn:
                if conn.execute(sa.select(dict_organizations.c.org_id).where(
                        dict_organizations.c.org_id == unspec(spec[5:]))).first():
                    return
        raise OaiError("badArgument", f"no set {spec!r}: ListSets lists them")

    def _units_under(self, conn, org: str | None) -> list[str]:
        rows = conn.execute(sa.select(dict_organizations.c.org_id, dict_organizations.c.parent_id)).all()
        if org is None:
            return [r.org_id for r in rows]
        children: dict[str, list[str]] = {}
        for r in rows:
            children.setdefault(r.parent_id, []).append(r.org_id)
        out, todo = [], [org]
        while todo:
            o = todo.pop()
            out.append(o)
            todo.extend(children.get(o, []))
        return out

    # -------------------------------------------------------------------------------- items
    def _format(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not served; ListMetadataFormats lists them")
        return prefix

    def _work_row(self, identifier: str):
        wid = identifier[len(self.prefix):] if identifier.startswith(self.prefix) else None
        with self.store.connect() as conn:
            row = conn.execute(sa.select(works.c.work_id, works.c.status, works.c.updated_at, works.c.year)
                               .where(works.c.work_id == wid)).first() if wid else None
        if row is None:
            raise OaiError("idDoesNotExist", f"{identifier!r} is unknown in this repository")
        return row

    def _items(self, conn, rows, full: bool) -> list[OaiWork]:
        ids = [r.work_id for r in rows]
        depts = self._departments(conn, ids)
        out = [OaiWork(r.work_id, self.prefix + r.work_id, stamp(r.updated_at), r.status != "active",
                       sorted({*(set_spec("dept", o) for o in depts.get(r.work_id, ())),
                               *([f"year:{r.year}"] if r.year else [])})) for r in rows]
        live = [w for w in out if not w.deleted]
        if full and live:
            self._fill(conn, live)
        return out

    def _departments(self, conn, ids: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        q = sa.select(authorships.c.work_id, authorships.c.org_id).where(
            authorships.c.work_id.in_(ids), authorships.c.org_id.isnot(None), authorships.c.status.not_in(NOT_IN_SETS))
        for wid, org in conn.execute(q):
            out.setdefault(wid, set()).add(org)
        return out

    def _fill(self, conn, items: list[OaiWork]) -> None:
        """The documents, authors, unit names and what harvested members say (licence, OA, funding, ORCID)."""
        from ir.attribute import export_fields as authors_of  # the byline as attribution decided it

        ids = [w.work_id for w in items]
        docs = dict(conn.execute(sa.select(works.c.work_id, works.c.data).where(works.c.work_id.in_(ids))).all())
        extra = authors_of(conn, ids)
        orgs = {a["org_id"] for e in extra.values() for a in e.get("authors", []) if a.get("org_id")}
        units = dict(conn.execute(sa.select(dict_organizations.c.org_id,
                                            sa.func.coalesce(dict_organizations.c.name_en, dict_organizations.c.name_zh))
                                  .where(dict_organizations.c.org_id.in_(orgs))).all()) if orgs else {}
        harvested = self._harvested(conn, ids)
        for w in items:
            w.doc = docs.get(w.work_id) or {}
            w.authors = [a for a in extra.get(w.work_id, {}).get("authors", []) if a.get("name")]
            w.units = units
            facts = harvested.get(w.work_id, {})
            w.licence, w.oa_status = facts.get("license"), facts.get("oa_status")
            w.funding, w.orcids = facts.get("funding", []), facts.get("orcids", {})
            if self.cfg.item_url and self.site:
                w.url = self.site + self.cfg.item_url.format(work_id=w.work_id)

    def _harvested(self, conn, ids: list[str]) -> dict[str, dict]:
        """Licence, open-access status, funding and ORCID iDs from the works' member records of the APIs."""
        q = (sa.select(work_members.c.work_id, source_records.c.source, source_records.c.data)
             .join(source_records, sa.and_(source_records.c.source == work_members.c.source,
                                           source_records.c.source_id == work_members.c.source_id))
             .where(work_members.c.work_id.in_(ids), work_members.c.source.in_(("crossref", "openalex")))
             .order_by(work_members.c.work_id, work_members.c.source))
        out: dict[str, dict] = {}
        for wid, _source, data in conn.execute(q):
            facts = out.setdefault(wid, {"funding": [], "orcids": {}})
            raw = data.get("raw") or {}
            for key in ("license", "oa_status"):
                if raw.get(key) and not facts.get(key):
                    facts[key] = raw[key][0]
            facts["funding"] += [f for f in data.get("funding") or [] if f not in facts["funding"]]
            for a in data.get("authors") or []:
                if a.get("orcid"):
                    facts["orcids"].setdefault(a["position"], a["orcid"])
        return out

    def _header(self, parent, item: OaiWork):
        h = etree.SubElement(parent, "header")
        if item.deleted:
            h.set("status", "deleted")
        etree.SubElement(h, "identifier").text = item.identifier
        etree.SubElement(h, "datestamp").text = item.datestamp
        for spec in item.sets:
            etree.SubElement(h, "setSpec").text = spec
        return h

    def _record(self, record, item: OaiWork, prefix: str) -> None:
        self._header(record, item)
        if not item.deleted:
            etree.SubElement(record, "metadata").append(BUILDERS[prefix](item))


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def _iso_g(pair: tuple[dt.datetime, str]) -> tuple[str, str]:
    return _iso(pair[0]), pair[1]


def _dt(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)
