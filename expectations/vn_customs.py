"""Vietnam customs' by-country bulletin against its own headline table: reported, never failed.

The bulletin lists Vietnam's main partners only, so the sum of its country rows for a
month is below the world figure the headline table (source ``vn_customs_headline``, or any
stored VNM→WLD figure) gives for the same month and flow. The note says how much of the
world figure the bulletin covers; a sum *above* the world figure beyond its rounding means
one of the two is wrong, and the note says so. Nothing here fails a batch.
"""

from __future__ import annotations

SOURCE = "vn_customs"


def bulletin_vs_headline(df, session) -> list[str]:
    """Notes comparing each (flow, period) sum of the batch's VNM partner rows with VNM→WLD."""
    from db.baseline_queries import stored_for_periods

    sel = df[
        (df["source"] == SOURCE) & (df["reporter"] == "VNM") & (df["partner"] != "WLD") & (df["commodity"] == "TOTAL")
    ]
    if sel.empty:
        return []
    sums = sel.groupby(["flow", "period"])["value_usd"].agg(["sum", "count"])
    st = stored_for_periods(
        session, reporters={"VNM"}, partners={"WLD"}, periods=set(sel["period"]), commodities={"TOTAL"}
    )
    world: dict[tuple[str, str], tuple[int, int, str]] = {}
    for flow, period, value, precision, source in zip(
        st["flow"], st["period"], st["value_usd"], st["precision_usd"], st["source"], strict=True
    ):
        key = (flow, period)
        if key not in world or source == "vn_customs_headline":
            world[key] = (int(value), int(precision or 1), source)
    notes = []
    for (flow, period), row in sums.iterrows():
        total, n = int(row["sum"]), int(row["count"])
        if (flow, period) not in world:
            notes.append(
                f"vn_customs bulletin {flow} {period}: {n} partners sum to {total:,} USD; no world figure stored"
            )
            continue
        value, precision, source = world[(flow, period)]
        share = 100.0 * total / value if value else float("nan")
        line = (
            f"vn_customs bulletin {flow} {period}: {n} partners sum to {total:,} USD, "
            f"{share:.1f}% of the world figure {value:,} ({source})"
        )
        if total > value + precision / 2:
            line += ": MORE than the world figure, one of the two is wrong"
        notes.append(line)
    return notes
