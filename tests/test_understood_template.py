"""The template of what the engine understood, rendered alone: how it shows a proposal's confidence."""

from __future__ import annotations


def test_a_confidence_that_rounds_to_zero_is_shown_as_below_one_percent() -> None:
    from api.ui.formats import Formats
    from api.ui.i18n import translator
    from api.ui.render import templates
    from api.ui.understood import Proposal, TitleSeen, Understood

    proposals = [Proposal("urn:a", 0.003, None), Proposal("urn:b", 0.42, None)]
    title = TitleSeen(item="title", text="Boulanger", chosen=None, confirmed=None, proposals=proposals)
    seen = Understood("vacancy", [title], [], [], None, [], [])
    page = templates.env.from_string(
        '{% from "_understood.html" import understood with context %}{{ understood(seen, "/ui/x", []) }}'
    )
    for lang in ("fr", "nl"):
        html = page.render(seen=seen, t=translator(lang), f=Formats(lang), concept=lambda uri: None, lang=lang)
        assert "&lt;&nbsp;1\u00a0%" in html and "42\u00a0%" in html
        assert ">0\u00a0%" not in html and " 0\u00a0%" not in html
