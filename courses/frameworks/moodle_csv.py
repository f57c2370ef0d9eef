"""Competence frameworks as CSV in the layout of Moodle's import/export tool (``tool_lpimportcsv``).

One row per line of the tree, 14 columns: Parent ID number, ID number, Short name, Description,
Description format, Scale values, Scale configuration, Rule type (optional), Rule outcome (optional),
Rule config (optional), Cross-referenced competency ID numbers, Exported ID (optional), Is framework,
Taxonomy. The row whose "Is framework" is true describes the framework itself; the others are its
competences, linked to their parents by id number (an empty parent: a top competence, an "area").

Columns are found by their header, so the spellings of older Moodle versions (``Id number``,
``Shortname``, ``Cross referenced competency id numbers (optional)``) and newer ones (``ID number``,
``Short name``, ``Cross-referenced competency ID numbers``) both work, in any case and order.
Cross-references are id numbers separated by commas; a comma inside an id number is written ``%2C``,
as Moodle does. Rows are read and written one at a time: a file is never held as one string.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _

# column key -> the header Kaskad writes (Moodle 3.1+ spelling, as its English language pack has it)
COLUMNS = {
    "parent": "Parent ID number",
    "idnumber": "ID number",
    "shortname": "Short name",
    "description": "Description",
    "description_format": "Description format",
    "scale_values": "Scale values",
    "scale_configuration": "Scale configuration",
    "rule_type": "Rule type (optional)",
    "rule_outcome": "Rule outcome (optional)",
    "rule_config": "Rule config (optional)",
    "related": "Cross-referenced competency ID numbers",
    "exported_id": "Exported ID (optional)",
    "is_framework": "Is framework",
    "taxonomy": "Taxonomy",
}
REQUIRED = ("parent", "idnumber", "shortname", "is_framework")
# Moodle's FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN and FORMAT_MARKDOWN.
DESCRIPTION_FORMATS = {0, 1, 2, 4}
DELIMITERS = (",", ";", "\t")
FALSE_WORDS = {"", "0", "false", "no"}
MAX_IDNUMBER = 100


def _normalised(header: str) -> str:
    """``Cross-referenced competency ID numbers (optional)`` → ``crossreferencedcompetencyidnumbers``."""
    header = header.replace("\ufeff", "").casefold().replace("(optional)", "")
    return re.sub(r"[\W_]+", "", header)


# Every spelling Moodle has used, normalised: "Id number", "ID number" and "idnumber" are one column.
HEADERS = {
    "parentidnumber": "parent",
    "idnumber": "idnumber",
    "shortname": "shortname",
    "description": "description",
    "descriptionformat": "description_format",
    "scalevalues": "scale_values",
    "scaleconfiguration": "scale_configuration",
    "ruletype": "rule_type",
    "ruleoutcome": "rule_outcome",
    "ruleconfig": "rule_config",
    "crossreferencedcompetencyidnumbers": "related",
    "relatedidnumbers": "related",
    "exportedid": "exported_id",
    "exportid": "exported_id",
    "isframework": "is_framework",
    "taxonomy": "taxonomy",
    "taxonomies": "taxonomy",
}


@dataclass(frozen=True)
class Row:
    """One row of the file, as text, with the problems found in the row alone."""

    line: int
    parent: str = ""
    idnumber: str = ""
    shortname: str = ""
    description: str = ""
    description_format: int = 1
    scale_values: str = ""
    scale_configuration: str = ""
    rule_type: str = ""
    rule_outcome: str = ""
    rule_config: str = ""
    related: tuple[str, ...] = ()
    exported_id: str = ""
    is_framework: bool = False
    taxonomy: str = ""
    problems: tuple[str, ...] = field(default=())


class FileProblem(Exception):
    """The file cannot be read any further (not text, not CSV, a header without the needed columns).
    ``problems`` holds ``(line, message)`` pairs."""

    def __init__(self, problems: Iterable[tuple[int, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{line}: {message}" for line, message in self.problems))


# --- reading --------------------------------------------------------------------------------------


def _text_stream(stream: IO[Any]) -> IO[str]:
    """Text from a binary or text stream: UTF-8 (a byte-order mark is dropped), else Windows-1251
    when the stream can be read again from its start."""
    if isinstance(stream, io.TextIOBase):
        return stream
    encoding = "utf-8-sig"
    if stream.seekable():
        start = stream.tell()
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            while chunk := stream.read(64 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1251"
        stream.seek(start)
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def read_rows(stream: IO[Any]) -> Iterator[Row]:
    """The rows of a framework CSV (a binary or text stream), one at a time.

    A problem of one row goes into its ``problems``; a problem that stops the reading (encoding, CSV
    syntax, header) raises :class:`FileProblem`, after the rows read so far.
    """
    text = _text_stream(stream)
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise FileProblem([(1, _("The file is not text in UTF-8 or Windows-1251."))]) from None
    first = first.lstrip("\ufeff")
    if not first.strip():
        raise FileProblem([(1, _("The file is empty: the first line must name the columns."))])
    delimiter = max(DELIMITERS, key=first.count)
    # strict: an unclosed quote is an error, not a description that swallows the rest of the file
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise FileProblem([(1, _("The file is not valid CSV: %(error)s", error=str(error)))]) from None
    keys = _header_keys(header)
    next_line = reader.line_num + 1
    seen_rows = False
    try:
        for values in reader:
            # A row's line is where it starts: a quoted description may run over several lines.
            line, next_line = next_line, reader.line_num + 1
            if not any(value.strip() for value in values):
                continue
            seen_rows = True
            yield _row(line, keys, values)
    except csv.Error as error:
        raise FileProblem(
            [(reader.line_num, _("The file is not valid CSV: %(error)s", error=str(error)))]
        ) from None
    except UnicodeDecodeError:
        raise FileProblem([(reader.line_num, _("The file is not text in UTF-8 or Windows-1251."))]) from None
    if not seen_rows:
        raise FileProblem([(1, _("The file has a header but no rows."))])


def _header_keys(header: list[str]) -> list[str | None]:
    keys: list[str | None] = []
    problems: list[tuple[int, str]] = []
    for name in header:
        key = HEADERS.get(_normalised(name))
        if key is None and name.strip():
            problems.append((1, _("Unknown column: “%(name)s”.", name=name.strip())))
        elif key is not None and key in keys:
            problems.append((1, _("The column “%(name)s” appears twice.", name=name.strip())))
        keys.append(key)
    missing = [COLUMNS[key] for key in REQUIRED if key not in keys]
    if missing:
        problems.append((1, _("Missing columns: %(names)s.", names=", ".join(missing))))
    if problems:
        raise FileProblem(problems)
    return keys


def _row(line: int, keys: list[str | None], values: list[str]) -> Row:
    problems: list[str] = []
    if len(values) > len(keys) and any(value.strip() for value in values[len(keys) :]):
        problems.append(_("This row has more values than the header has columns."))
    raw = {key: value for key, value in zip(keys, values, strict=False) if key is not None}

    def text(key: str) -> str:
        return raw.get(key, "").strip()

    description_format = 1
    if text("description_format"):
        try:
            description_format = int(text("description_format"))
        except ValueError:
            description_format = -1
        if description_format not in DESCRIPTION_FORMATS:
            problems.append(
                _(
                    "Description format must be 0 (Moodle), 1 (HTML), 2 (plain text) or 4 (Markdown), "
                    "not “%(value)s”.",
                    value=text("description_format"),
                )
            )
            description_format = 1
    rule_outcome = text("rule_outcome")
    if rule_outcome and not re.fullmatch(r"-?\d+", rule_outcome):
        problems.append(_("Rule outcome must be a whole number, not “%(value)s”.", value=rule_outcome))
    rule_config = text("rule_config")
    scale_values, scale_configuration = text("scale_values"), text("scale_configuration")
    problems.extend(_scale_problems(scale_values, scale_configuration))
    related = tuple(part.strip().replace("%2C", ",") for part in text("related").split(",") if part.strip())
    return Row(
        line=line,
        parent=text("parent"),
        idnumber=text("idnumber"),
        shortname=text("shortname"),
        # A description keeps its own line breaks and spaces (HTML or Markdown may need them).
        description=raw.get("description", "").strip("\r\n"),
        description_format=description_format,
        scale_values=scale_values,
        scale_configuration=scale_configuration,
        rule_type=text("rule_type"),
        rule_outcome=rule_outcome,
        rule_config="" if rule_config == "null" else rule_config,
        related=related,
        exported_id=text("exported_id"),
        is_framework=text("is_framework").casefold() not in FALSE_WORDS,
        taxonomy=text("taxonomy"),
        problems=tuple(problems),
    )


def scale_items(scale_values: str) -> list[str]:
    """``"Not yet competent,Competent"`` → the scale's items (Moodle's compact form)."""
    return [item.strip() for item in scale_values.split(",") if item.strip()]


def _scale_problems(values: str, configuration: str) -> list[str]:
    """What is wrong with a scale. Moodle's importer reads the configuration as a JSON list whose first
    entry holds the scale id, the others ``{"id": item number, "scaledefault": 0|1, "proficient": 0|1}``."""
    if not values and not configuration:
        return []
    if values and not configuration:
        return [
            _("Scale values need a scale configuration (which item is the default, which are proficient).")
        ]
    try:
        parsed = json.loads(configuration)
    except ValueError as error:
        return [_("The scale configuration is not valid JSON: %(error)s", error=str(error))]
    if not isinstance(parsed, list) or not parsed or not isinstance(parsed[0], dict):
        return [_('The scale configuration must be a JSON list that starts with {"scaleid": …}.')]
    count = len(scale_items(values))
    for entry in parsed[1:]:
        number = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(number, int) or not 1 <= number <= count:
            return [
                _(
                    "The scale configuration names item %(item)s, but the scale has %(count)s values.",
                    item=json.dumps(number),
                    count=count,
                )
            ]
    return []


# --- writing --------------------------------------------------------------------------------------


def header() -> list[str]:
    return list(COLUMNS.values())


def csv_line(values: Iterable[Any]) -> str:
    """One CSV record (quoted as needed, ``\\n`` at the end), for writing or streaming row by row."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def write_rows(rows: Iterable[Iterable[Any]], file: IO[str]) -> int:
    """Write the header and ``rows`` to a text file, one record at a time; the number of rows."""
    writer = csv.writer(file, lineterminator="\n")
    file.write("\ufeff")  # Excel then reads UTF-8; Moodle's importer drops the mark
    writer.writerow(header())
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def related_cell(idnumbers: Iterable[str]) -> str:
    return ",".join(idnumber.replace(",", "%2C") for idnumber in idnumbers)
