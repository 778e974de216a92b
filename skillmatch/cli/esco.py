"""The ``skillmatch esco`` commands: load, upgrade, show and link the ESCO taxonomy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillmatch.cli.common import echo_json, fail, open_runtime
from skillmatch.settings import get_settings

esco_app = typer.Typer(help="The ESCO taxonomy and its concept space.", no_args_is_help=True)


@esco_app.command("load")
def esco_load(
    esco_dir: Annotated[
        Path | None,
        typer.Option("--esco-dir", help="ESCO CSV folder, official zip, or folder of zips (default: setting)."),
    ] = None,
    version: Annotated[str | None, typer.Option(help="ESCO version when the path does not state it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Reload even when the same files are loaded.")] = False,
    taxonomy_only: Annotated[bool, typer.Option("--taxonomy-only", help="Do not build the concept space.")] = False,
) -> None:
    """Load ESCO into the database and build (or reuse) the concept space.

    All or nothing; says 'up to date' when the same files are already loaded.

    Example: skillmatch esco load --esco-dir ../shared/esco/v1.1.1
    """
    from esco_data import EscoError, load_esco
    from skillmatch.db import make_engine

    settings = get_settings()
    path = esco_dir if esco_dir is not None else settings.esco_dir
    engine = make_engine(settings.database_url)
    try:
        report = load_esco(engine, path, version=version, force=force, progress=True)
    except EscoError as exc:
        raise fail(str(exc)) from exc
    if report.status == "up_to_date":
        typer.echo(f"ESCO {report.version} is up to date ({report.checksum[:12]}); nothing changed.")
    else:
        c = report.counts
        typer.echo(
            f"Loaded ESCO {report.version} in {report.seconds:.1f} s: {c['skills']:,} skills, "
            f"{c['occupations']:,} occupations, {c['isco_groups']:,} ISCO groups, "
            f"{c['skill_groups']:,} skill groups, "
            f"{c['occupation_skill_relations']:,} occupation-skill relations."
        )
        labelled = ", ".join(
            f"{key.removeprefix('skills_labelled_')}: {value:,}"
            for key, value in c.items()
            if key.startswith("skills_labelled_")
        )
        typer.echo(f"Skills with a label of their own per language: {labelled}.")
        for kind, count in sorted(report.skipped.items()):
            typer.echo(f"Skipped {count:,} {kind.replace('_', ' ')} rows that reference a concept no file defines.")
    if taxonomy_only:
        return
    runtime = open_runtime()
    r = runtime.report
    indexes = ", ".join(f"{kind} {outcome}" for kind, outcome in r["profile_indexes"].items())
    typer.echo(
        f"Concept space {r['concept_space']} ({r['concepts']:,} concepts, {r['labels']:,} labels), "
        f"linker indexes {r['linker_indexes']}, profile indexes: {indexes}; in {r['seconds']:.1f} s."
    )
    if taken := r.get("from_build_cache"):
        typer.echo(f"Taken from the build cache {runtime.settings.build_cache_dir}: {', '.join(taken)}.")
    # The pages' typeahead index too: built at a server's start instead, it took seconds of CPU beside the
    # first requests (a candidate search waited a second for it), and again at every start stopped before it
    # was stored.
    from api.typeahead import Typeahead

    Typeahead(runtime.taxonomy, store=runtime.settings.typeahead_dir).build()
    runtime.save()
    # Another data directory over the same release and model takes these from the build cache.
    from matching.build_cache import publish
    from matching.resources import building

    with building(runtime.settings.data_dir):
        kept = publish(runtime.settings.build_cache_dir, runtime.settings.data_dir)
    if kept:
        typer.echo(f"Concept space and typeahead index kept in the build cache {runtime.settings.build_cache_dir}.")


@esco_app.command("upgrade")
def esco_upgrade(
    esco_dir: Annotated[Path, typer.Argument(help="The newer release: CSV folder, official zip, or folder of zips.")],
    replacements: Annotated[
        Path | None, typer.Option(help="CSV old_uri,new_uri: the concepts that replace obsolete ones.")
    ] = None,
    rematch: Annotated[bool, typer.Option(help="Start a full rematch once the records are linked again.")] = True,
) -> None:
    """Upgrade ESCO: load the newer release, follow obsolete concepts to their replacements in stored records
    (or keep their old label as text), link every record again, rebuild the indexes, start a rematch; prints
    the report as JSON.

    Example: skillmatch esco upgrade ../esco/v1.2.0 --replacements replaced_by.csv
    """
    from esco_data import EscoError
    from skillmatch.esco_upgrade import EscoUpgradeError, read_replacements, upgrade_esco

    try:
        followed = read_replacements(replacements) if replacements is not None else {}
        report = upgrade_esco(
            get_settings(), esco_dir, replacements=followed, rematch={} if rematch else None, progress=True
        )
    except (EscoError, EscoUpgradeError, OSError) as exc:
        raise fail(str(exc)) from exc
    echo_json(report)


@esco_app.command("info")
def esco_info() -> None:
    """Show the loaded ESCO release as JSON (version, checksum, counts).

    Example: skillmatch esco info
    """
    from esco_data import current_release
    from skillmatch.db import make_engine

    release = current_release(make_engine(get_settings().database_url))
    if release is None:
        raise fail("no ESCO taxonomy is loaded: run `skillmatch esco load`")
    echo_json(release.model_dump(mode="json", exclude={"id"}))


@esco_app.command("link")
def esco_link(
    text: Annotated[str, typer.Argument(help="A job title, a skill phrase or a longer text.")],
    kind: Annotated[str, typer.Option(help="skill or occupation.")] = "skill",
    k: Annotated[int, typer.Option("-k", help="How many concepts.")] = 5,
    lang: Annotated[
        str | None, typer.Option(help="Language of the labels shown (default: the default language setting).")
    ] = None,
    extract: Annotated[bool, typer.Option("--extract", help="Find several skills in a longer text.")] = False,
) -> None:
    """Link text to ESCO concepts (ranked, with score and the label that matched).

    Example: skillmatch esco link "boulanger (h/f/x)" --kind occupation
    """
    if kind not in ("skill", "occupation"):
        raise fail("--kind must be skill or occupation")
    runtime = open_runtime()
    tx = runtime.taxonomy
    lang = lang or runtime.settings.default_language.value
    if extract:
        found = runtime.linker.extract(text, kind)  # type: ignore[arg-type]
        echo_json(
            [
                {
                    "uri": c.uri,
                    "label": tx.label(c.uri, lang).text,
                    "score": round(c.score, 4),
                    "span": [c.start, c.end],
                    "source": c.source,
                }
                for c in found
            ]
        )
        return
    linked = runtime.linker.link(text, kind, k=k)  # type: ignore[arg-type]
    echo_json(
        [
            {"uri": c.uri, "label": tx.label(c.uri, lang).text, "matched_label": c.label, "score": round(c.score, 4)}
            for c in linked
        ]
    )


__all__ = ["esco_app"]
