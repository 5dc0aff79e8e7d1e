"""Writing an extract as a workbook (openpyxl), byte for byte the same for the same extract.

Sheets: Cover (the rules as written and in words, date, data version, snapshot), Departments, People,
Works (every counted work with every tag and our authors), Authorships (every counted link), Chart
(works per department per tier over the chart's years, one stacked bar chart per department).

Reproducibility: the document properties take the extract's date, rows are written in a fixed order,
and the zip container is rewritten with that date on every member, so the bytes depend only on the
extract (and the openpyxl version).
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ir.report import counting as C
from ir.report.extract import Extract

HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
GROUP_FILL = PatternFill("solid", fgColor="B8CCE4")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
MONO = Font(name="Consolas", size=10)
THIN = Border(bottom=Side(style="thin", color="808080"))
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SHEETS = ("Cover", "Departments", "People", "Works", "Authorships", "Chart")
TIER_COLORS = ["1F4E79", "2E75B6", "6FA8DC", "A9CCE3", "F4B183", "A9D18E", "FFD966", "C5A3D9"]
NONE_COLOR = "C9C9C9"  # works not in the chart's list


def tier_color(i: int, tier: str) -> str:
    return NONE_COLOR if tier == C.NO_TIER else TIER_COLORS[i % len(TIER_COLORS)]


def yes(v: bool) -> str:
    return "yes" if v else ""


def _width(ws, widths: dict[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def _measure_header(ws, fixed: list[str], cols: list[C.Measure]) -> None:
    """Two header rows: groups (merged) over labels."""
    for j, name in enumerate(fixed, 1):
        ws.cell(1, j, name)
        ws.merge_cells(start_row=1, start_column=j, end_row=2, end_column=j)
    start = len(fixed) + 1
    j = start
    while j < start + len(cols):
        group = cols[j - start].group
        k = j
        while k + 1 < start + len(cols) and cols[k + 1 - start].group == group:
            k += 1
        ws.cell(1, j, group)
        if k > j:
            ws.merge_cells(start_row=1, start_column=j, end_row=1, end_column=k)
        j = k + 1
    for i, m in enumerate(cols):
        ws.cell(2, start + i, m.label)
    for row in ws.iter_rows(min_row=1, max_row=2, max_col=len(fixed) + len(cols)):
        for c in row:
            c.font = BOLD
            c.alignment = CENTER
            c.fill = GROUP_FILL if c.row == 1 else HEAD_FILL
    ws.freeze_panes = ws.cell(3, len(fixed) + 1)


def _cover(ws, e: Extract, n_depts: int) -> None:
    ws.title = "Cover"
    inst = e.institution.get("name") or ""
    ws["A1"] = f"Research output extract {e.year_label}"
    ws["A1"].font = TITLE
    ws["A2"] = inst + (f" ({e.institution['name_zh']})" if e.institution.get("name_zh") else "")
    rows = [
        ("Year(s)", e.year_label),
        ("Extract date (UTC)", e.created_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Snapshot", f"#{e.snapshot_id} (ir report --from-snapshot {e.snapshot_id} writes this file again)"
         if e.snapshot_id else "not stored"),
        ("Data version", e.data_version),
        ("Counted works", len(e.works)),
        ("Counted authorships", len(e.links)),
        ("Departments", n_depts),
        ("People", len({x["person_id"] for x in e.links})),
        ("Rules", (e.rules.source or "given in code") + f" (sha256 {e.rules.digest[:16]})"),
    ]
    rows += [(f"Latest change: {k}", v or "-") for k, v in sorted(e.data_stamps.items())]
    r = 4
    for k, v in rows:
        ws.cell(r, 1, k).font = BOLD
        ws.cell(r, 2, v)
        r += 1
    r += 1
    ws.cell(r, 1, "How the numbers are counted").font = BOLD
    for line in e.rules.explain():
        r += 1
        ws.cell(r, 1, "•")
        ws.cell(r, 2, line).alignment = WRAP
    if e.notes:
        r += 2
        ws.cell(r, 1, "Notes").font = BOLD
        for line in e.notes:
            r += 1
            ws.cell(r, 2, line).alignment = WRAP
    r += 2
    ws.cell(r, 1, "Sheets").font = BOLD
    for name, what in (
        ("Departments", "per department: works by type, index, tier, author role, ESI; the last row counts each work once"),
        ("People", "per person (and department): the same columns, each work once per person"),
        ("Works", "every counted work, its tags, editions and our authors: every number above is a count of these rows"),
        ("Authorships", "every counted link of one of our people to a work, with what it rests on"),
        ("Chart", f"works per department per {e.rules.chart_list} tier, {e.trend_years[0]}-{e.trend_years[-1]}"),
    ):
        r += 1
        ws.cell(r, 1, name)
        ws.cell(r, 2, what).alignment = WRAP
    r += 2
    ws.cell(r, 1, "Rules (as written)").font = BOLD
    for line in e.rules.text.splitlines():
        r += 1
        ws.cell(r, 2, line).font = MONO
    _width(ws, {1: 26, 2: 120})


def _summary(ws, title: str, fixed: list[str], rows: list[list], counts: list[dict], cols: list[C.Measure],
             total_last: bool) -> None:
    ws.title = title
    _measure_header(ws, fixed, cols)
    for i, (lead, cnt) in enumerate(zip(rows, counts)):
        r = 3 + i
        for j, v in enumerate(lead, 1):
            ws.cell(r, j, v)
        for j, m in enumerate(cols, len(fixed) + 1):
            ws.cell(r, j, cnt[m.key])
        if total_last and i == len(rows) - 1:
            for c in ws[r]:
                c.font = BOLD
                c.fill = TOTAL_FILL
    _width(ws, {1: 14, 2: 44, **{j: 10 for j in range(3, len(fixed) + len(cols) + 1)}})
    if len(fixed) > 2:
        _width(ws, {2: 22, 3: 10, 4: 10, 5: 14, 6: 40})


def work_columns(e: Extract) -> list[str]:
    from ir.report.counting import LIST_LABELS

    return (["Work id", "Year", "Publication year", "Type", "Title", "Journal", "ISSN", "eISSN", "DOI", "Indexes"]
            + [LIST_LABELS.get(lst, lst) for lst in e.rules.lists]
            + ["Editions", "ESI highly cited", "ESI hot paper", "Our departments", "First-author departments",
               "Corresponding departments", "Our authors", "Sources", "Times cited",
               "Institution rank (产权排序)", "First unit (第一署名单位)", "First author's unit", "Corresponding author's unit"])


def work_table(e: Extract) -> list[list]:
    """The Works sheet's rows (also its CSV)."""
    by_work: dict[str, list[dict]] = {}
    for x in e.links:
        by_work.setdefault(x["work_id"], []).append(x)
    out = []
    for w in e.works:
        ls = sorted(by_work.get(w["work_id"], []), key=lambda x: x["position"])
        first = sorted({x["dept_id"] for x in ls if C.is_first(x, e.rules)})
        corr = sorted({x["dept_id"] for x in ls if C.is_corresponding(x, w, e.rules)})

        def author(x: dict) -> str:
            roles = [r for r, ok in (("first", C.is_first(x, e.rules)), ("corresponding", C.is_corresponding(x, w, e.rules))) if ok]
            return (f"{x['position']}. {x['person_name']} ({x['person_id']}, {x['dept_id']}; {x['basis']})"
                    + (f" [{', '.join(roles)}]" if roles else ""))

        tiers = w.get("tiers") or {}
        out.append([w["work_id"], w["year"], w.get("pub_year"), w.get("type"), w.get("title"), w.get("journal"),
                    w.get("issn"), w.get("eissn"), w.get("doi"), "; ".join(w.get("indexes") or [])]
                   + [tiers.get(lst) for lst in e.rules.lists]
                   + ["; ".join(f"{k} {v}" for k, v in sorted((w.get("editions") or {}).items())),
                      yes(w.get("highly_cited")), yes(w.get("hot_paper")),
                      "; ".join(sorted({x["dept_id"] for x in ls})), "; ".join(first), "; ".join(corr),
                      "\n".join(author(x) for x in ls), "; ".join(w.get("sources") or []), w.get("times_cited")]
                   + _rank_cells(w.get("rank")))
    return out


def _rank_cells(rank: dict | None) -> list:
    """The institution's rank (ir.report.rank) as cells: position of units, and the three yes/no."""
    if not rank:
        return ["", "", "", ""]
    pos = f"{rank['position']} of {rank['units']}" if rank.get("position") else f"not ours (of {rank.get('units')})"
    corr = "" if rank.get("corresponding") is None else yes(rank.get("corresponding")) or "no"
    return [pos, yes(rank.get("first_unit")) or "no", yes(rank.get("first_author")) or "no", corr]


AUTHORSHIP_COLUMNS = ["Work id", "Year", "Position", "Author as printed", "Person id", "Person", "Department id",
                      "Department", "Link", "First author", "Corresponding author", "Decided by"]


def authorship_table(e: Extract) -> list[list]:
    works = {w["work_id"]: w for w in e.works}
    return [[x["work_id"], works[x["work_id"]]["year"], x["position"], x["name"], x["person_id"], x["person_name"],
             x["dept_id"], e.departments.get(x["dept_id"], x["dept_id"]), x["basis"], yes(C.is_first(x, e.rules)),
             yes(C.is_corresponding(x, works[x["work_id"]], e.rules)), x.get("decided_by")]
            for x in sorted(e.links, key=lambda x: (x["work_id"], x["position"]))]


def trend_table(e: Extract) -> tuple[list[str], list[list]]:
    """The chart's data: one row per department and year, one column per tier, and the total."""
    tiers = C.tier_order(e.rules.chart_list, {t["tier"] for t in e.trend})
    counts = {(t["dept_id"], t["year"], t["tier"]): t["works"] for t in e.trend}
    depts = sorted({t["dept_id"] for t in e.trend})
    rows = []
    for d in depts:
        for y in e.trend_years:
            vals = [counts.get((d, y, t), 0) for t in tiers]
            rows.append([d, e.departments.get(d, d), y, *vals, sum(vals)])
    return ["Department id", "Department", "Year", *tiers, "Total"], rows


def _plain(ws, title: str, header: list[str], rows: list[list], widths: dict[int, float]) -> None:
    ws.title = title
    ws.append(header)
    for c in ws[1]:
        c.font = BOLD
        c.fill = HEAD_FILL
        c.alignment = CENTER
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    _width(ws, widths)


def _chart_sheet(ws, e: Extract) -> None:
    header, rows = trend_table(e)
    ws.title = "Chart"
    ws.append(header)
    for c in ws[1]:
        c.font = BOLD
        c.fill = HEAD_FILL
    for row in rows:
        ws.append(row)
    _width(ws, {1: 14, 2: 36})
    n_years = len(e.trend_years)
    n_tiers = len(header) - 4
    depts = [rows[i][0] for i in range(0, len(rows), n_years)]
    anchor_col = len(header) + 2
    for k, d in enumerate(depts):
        first = 2 + k * n_years
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = e.departments.get(d, d)
        chart.y_axis.title = "works"
        chart.height, chart.width = 6.5, 12
        chart.add_data(Reference(ws, min_col=4, max_col=3 + n_tiers, min_row=first, max_row=first + n_years - 1),
                       from_rows=False, titles_from_data=False)
        for i, s in enumerate(chart.series):
            s.tx = SeriesLabel(strRef=StrRef(f"'Chart'!${get_column_letter(4 + i)}$1"))
        for i, s in enumerate(chart.series):
            s.graphicalProperties.solidFill = tier_color(i, header[3 + i])
            s.graphicalProperties.line.solidFill = tier_color(i, header[3 + i])
        chart.set_categories(Reference(ws, min_col=3, min_row=first, max_row=first + n_years - 1))
        row_at = 1 + (k // 2) * 14
        col_at = anchor_col + (k % 2) * 8
        ws.add_chart(chart, f"{get_column_letter(col_at)}{row_at}")


def _fixed_zip(data: bytes, when) -> bytes:
    """The same zip with every member dated ``when`` and fixed attributes (openpyxl stamps 'now')."""
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def workbook_bytes(e: Extract) -> bytes:
    """The extract's workbook as bytes (deterministic for the same extract)."""
    wb = Workbook()
    dept_rows = e.department_rows()
    person_rows = e.person_rows()
    cols = e.measures()
    _cover(wb.active, e, len(dept_rows) - 1)
    _summary(wb.create_sheet(), "Departments", ["Department id", "Department"],
             [[r["dept_id"] or "", r["department"]] for r in dept_rows], [r["counts"] for r in dept_rows], cols, True)
    _summary(wb.create_sheet(), "People", ["Person id", "Name", "姓名", "Role", "Department id", "Department"],
             [[r["person_id"], r["name"], r["name_zh"], r["role"], r["dept_id"], r["department"]] for r in person_rows],
             [r["counts"] for r in person_rows], cols, False)
    n_lists = len(e.rules.lists)
    _plain(wb.create_sheet(), "Works", work_columns(e), work_table(e),
           {1: 20, 2: 7, 3: 7, 4: 14, 5: 60, 6: 36, 7: 11, 8: 11, 9: 28, 10: 18,
            **{11 + i: 11 for i in range(n_lists)}, 11 + n_lists: 28, 14 + n_lists: 18, 17 + n_lists: 60})
    _plain(wb.create_sheet(), "Authorships", AUTHORSHIP_COLUMNS, authorship_table(e),
           {1: 20, 4: 24, 5: 12, 6: 22, 7: 14, 8: 40, 12: 16})
    _chart_sheet(wb.create_sheet(), e)
    when = e.created_at.replace(tzinfo=None)
    wb.properties.creator = "ir report"
    wb.properties.lastModifiedBy = "ir report"
    wb.properties.title = f"Research output extract {e.year_label}"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook: it stamps 'modified' with the clock
    return _fixed_zip(buf.getvalue(), when)


def chart_png_bytes(e: Extract) -> bytes:
    """The chart as a PNG (matplotlib): one small stacked bar chart per department, years on the x axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    header, rows = trend_table(e)
    tiers = header[3:-1]
    n_years = len(e.trend_years)
    depts = [rows[i] for i in range(0, len(rows), n_years)]
    n = max(1, len(depts))
    ncols = min(4, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.6 * nrows + 0.8), squeeze=False, sharey=True)
    for k in range(nrows * ncols):
        ax = axes[k // ncols][k % ncols]
        if k >= len(depts):
            ax.axis("off")
            continue
        block = rows[k * n_years:(k + 1) * n_years]
        bottom = [0] * n_years
        for t_i, tier in enumerate(tiers):
            vals = [r[3 + t_i] for r in block]
            ax.bar([str(y) for y in e.trend_years], vals, bottom=bottom, color="#" + tier_color(t_i, tier),
                   label=tier, edgecolor="white", linewidth=0.5)
            bottom = [b + v for b, v in zip(bottom, vals)]
        name = block[0][1]
        ax.set_title(textwrap.shorten(name, 60, placeholder="…") if len(name) <= 34 else
                     "\n".join(textwrap.wrap(textwrap.shorten(name, 66, placeholder="…"), 34)[:2]), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    top = 1 - 0.75 / (2.6 * nrows + 0.8)
    fig.suptitle(f"Works per department per {C.LIST_LABELS.get(e.rules.chart_list, e.rules.chart_list).lower()}, "
                 f"{e.trend_years[0]}-{e.trend_years[-1]} ({e.institution.get('name') or ''})", fontsize=10, y=0.995)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, top + 0.35 / (2.6 * nrows + 0.8)),
               ncol=len(tiers), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, top - 0.005))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def write_xlsx(e: Extract, path: Path | str, png: bool = True) -> Path:
    """Write the workbook to ``path``; with ``png``, the chart beside it as ``<name>-chart.png``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(e))
    if png:
        png_path(path).write_bytes(chart_png_bytes(e))
    return path


def png_path(xlsx: Path) -> Path:
    return xlsx.with_name(xlsx.stem + "-chart.png")
