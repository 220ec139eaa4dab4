"""`zuofeng classifier evaluate|retrain`: how well the case classifier does on the corpus's
held-out part, in cross-validation and on officers' recorded corrections; and folding the
corrections an operator accepts into the corpus (the model is fitted again at the next start
of the cases service)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from sqlalchemy.exc import SQLAlchemyError

from services.cases.classifier import corrections
from services.cases.classifier.classify import Blend, classify_by_rules
from services.cases.classifier.corpus import (
    CORRECTIONS,
    TEST,
    corpus_dir,
    load_part,
    training_examples,
)
from services.cases.classifier.evaluation import cross_validate, render, score
from services.cases.classifier.model import fit
from services.cases.settings import CasesSettings
from shared.db import Database

app = typer.Typer(
    help="The case classifier: measure it, feed it corrections.", no_args_is_help=True
)


@app.command("evaluate")
def evaluate(
    cv: Annotated[int, typer.Option("--cv", help="Also k-fold cross-validate (training).")] = 0,
    sweep: Annotated[bool, typer.Option(help="With --cv: try blend settings, best first.")] = False,
    with_corrections: Annotated[
        bool,
        typer.Option("--corrections/--no-corrections", help="Also the recorded corrections."),
    ] = True,
) -> None:
    """Top-1, top-3, per-problem precision/recall and the confusion matrix."""
    held_out = load_part(TEST)
    typer.echo(render("held-out part (corpus/test.yaml)", score(held_out)))
    rules = score(held_out, classify_by_rules)
    typer.echo(f"(rules alone on the held-out part: top-1 {rules.top1_rate:.1%}, "
               f"top-3 {rules.top3_rate:.1%})")  # fmt: skip
    if cv > 1:
        examples = training_examples()
        if sweep:
            _sweep(examples, cv)
        else:
            found = cross_validate(examples, cv)[0]
            typer.echo(render(f"{cv}-fold cross-validation on the training part", found))
    if with_corrections:
        rows = _run(_latest(unfolded_only=False))
        if rows is None:
            typer.echo("recorded corrections: the cases database cannot be read (migrated?)")
        elif not rows:
            typer.echo("recorded corrections: none yet")
        else:
            examples = [corrections.as_example(row) for row in rows]
            typer.echo(render("recorded corrections (cases database)", score(examples)))


@app.command("retrain")
def retrain(
    accept: Annotated[
        str, typer.Option(help="Fold in 'all' or these ids (1,4,7); without it, only list.")
    ] = "",
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of corrections.yaml (default: the packaged one).")
    ] = None,
) -> None:
    """List the corrections not yet in the corpus; fold the accepted ones into
    corpus/corrections.yaml and check the model still fits."""
    rows = _run(_latest(unfolded_only=True))
    if rows is None:
        raise typer.BadParameter("the cases database cannot be read (is it migrated?)")
    for row in rows:
        change = f"{row['old_problem'] or '—'} -> {row['new_problem']}"
        typer.echo(f"{row['id']:>6}  case {row['case_id']}  {change}  "
                   f"{len(row['features'])} features  {row['terms']}")  # fmt: skip
    wanted = _accepted(accept, rows)
    if not wanted:
        typer.echo(f"{len(rows)} correction(s) waiting; fold them in with --accept")
        return
    path = (corpus or corpus_dir()) / CORRECTIONS
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    folded = list(data.get("reports") or [])
    present = {row["id"] for row in folded}  # a row folded before is not added twice
    data["reports"] = folded + [
        row for row in corrections.as_corpus_rows(wanted) if row["id"] not in present
    ]
    header = "".join(line + "\n" for line in path.read_text(encoding="utf-8").splitlines()
                     if line.startswith("#")) if path.exists() else ""  # fmt: skip
    body = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None
    )
    path.write_text(header + body, encoding="utf-8")
    _run(_mark([int(row["id"]) for row in wanted]))
    model = fit(training_examples(corpus))
    typer.echo(f"{len(wanted)} correction(s) folded into {path}; model {model.version} fits; "
               "restart the cases service to use it")  # fmt: skip


def _accepted(accept: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not accept:
        return []
    if accept == "all":
        return rows
    try:
        ids = {int(part) for part in accept.split(",") if part.strip()}
    except ValueError as exc:
        raise typer.BadParameter("--accept takes 'all' or ids separated by commas") from exc
    unknown = ids - {int(row["id"]) for row in rows}
    if unknown:
        raise typer.BadParameter(f"not waiting to be folded: {sorted(unknown)}")
    return [row for row in rows if int(row["id"]) in ids]


def _sweep(examples: list[Any], folds: int) -> None:
    blends = [
        Blend(weight, temperature, threshold)
        for weight in (0.4, 0.5, 0.6, 0.7)
        for temperature in (3.0, 5.0, 8.0)
        for threshold in (0.15, 0.2, 0.25)
    ]
    found = cross_validate(examples, folds, blends)
    typer.echo(f"{folds}-fold cross-validation, blend settings best first:")
    for blend, s in sorted(zip(blends, found, strict=True), key=lambda p: -p[1].top1_rate)[:10]:
        floor = min(r for label in s.labels() if (r := s.recall(label)) is not None)
        typer.echo(f"  {blend}: top-1 {s.top1_rate:.1%} top-3 {s.top3_rate:.1%} "
                   f"lowest recall {floor:.1%}")  # fmt: skip


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _latest(unfolded_only: bool) -> list[dict[str, Any]] | None:
    """The corrections, or None when the database cannot be read (a fresh clone has none)."""
    url = CasesSettings().database_url
    assert url is not None
    db = Database(url)
    try:
        async with db.sessions() as session:
            return await corrections.latest(session, unfolded_only)
    except (SQLAlchemyError, OSError):
        return None
    finally:
        await db.dispose()


async def _mark(ids: list[int]) -> None:
    url = CasesSettings().database_url
    assert url is not None
    db = Database(url)
    try:
        async with db.sessions() as session, session.begin():
            await corrections.mark_folded(session, ids, datetime.now(UTC))
    finally:
        await db.dispose()
