"""The grants pane's title says how many grants it lists, and with a filter how many match."""

from __future__ import annotations

from tests.helpers import SIZE, local_app, wait_for


async def test_the_grants_title_counts_the_grants_and_the_filter_matches() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.pane("grants")
        await wait_for(pilot, lambda: pane.snapshot is not None and pane.snapshot.grants)
        listed = len(pane.snapshot.grants)
        await wait_for(
            pilot,
            lambda: str(pane.border_title) == f"Break-glass grants · {listed} listed",
            what=f"'{listed} listed' in {pane.border_title!r}",
        )
        wanted = pane.snapshot.grants[0].subject
        matching = sum(wanted.lower() in g.subject.lower() for g in pane.snapshot.grants)
        await pilot.press("4", "slash", *wanted, "enter")
        await wait_for(
            pilot,
            lambda: str(pane.border_title).startswith(
                f"Break-glass grants · {matching} of {listed} · filter: "
            ),
            what=f"'{matching} of {listed}' in {pane.border_title!r}",
        )
