"""Build rules/tables/sei-ipc-2021.jsonl and sei-industries-2018.csv from the transcription.

Run by hand when the source changes (it reads the project's shared sources folder, which
the package never reads at run time):

    python scripts/build_sei_table.py ../shared/sources/sei-ipc-2021

It copies the 303 rules as they are and adds one field, `keyword_terms`: the terms of the
nine explicit keyword-filter rows ("…相关关键词"), split from their keyword text. The split
is mechanical: the text before 等 is a list separated by 、; the words between 等 and
相关关键词/关键词 name the category, which is taken as one more term (和 separates two).
Descriptive rows (the other ~294) get `keyword_terms: null`: they never restrict a match.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "rules" / "tables"
FILTER = re.compile(r"(相关)?关键词$")


def keyword_terms(text: str) -> list[str] | None:
    """The terms of an explicit keyword-filter row, or None for a descriptive row."""
    if not FILTER.search(text):
        return None
    body = FILTER.sub("", text)
    listed, _, category = body.rpartition("等") if "等" in body else ("", "", body)
    terms = [t for t in listed.split("、") if t] + [t for t in category.split("和") if t]
    return list(dict.fromkeys(terms))


def main(source: Path) -> None:
    lines = (source / "rules.jsonl").read_text(encoding="utf-8").splitlines()
    with (OUT / "sei-ipc-2021.jsonl").open("w", encoding="utf-8") as out:
        for line in lines:
            rule = json.loads(line)
            rule["keyword_terms"] = keyword_terms(rule["keywords"])
            out.write(json.dumps(rule, ensure_ascii=False) + "\n")
    shutil.copyfile(source / "industries-2018.csv", OUT / "sei-industries-2018.csv")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
