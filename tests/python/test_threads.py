"""Two threads querying one store at once: the engine runs with the GIL released, each call
reads its own snapshot, and every answer equals the one computed alone."""

from __future__ import annotations

import threading

import consolide


def queries(store: consolide.Store):
    return [
        lambda: store.tableau("1", years=(2014, 2017)),
        lambda: store.tableau("2", year=2017),
        lambda: store.crosstab("sorties_positives", rows="niveau", cols="tranche_age", year=2017),
        lambda: store.crosstab("parcours_distincts", rows="plie", years=(2015, 2017)),
        lambda: store.tableau("4", year=2016, filters={"sexe": "F"}),
    ]


def test_two_threads_query_at_once_and_agree_with_one(generated):
    alone = [q() for q in queries(generated)]
    results = {0: [], 1: []}
    errors = []
    start = threading.Barrier(2)

    def work(n: int) -> None:
        try:
            start.wait()
            for _ in range(4):
                # The two threads walk the queries in opposite orders.
                qs = list(enumerate(queries(generated)))
                for i, q in qs if n == 0 else reversed(qs):
                    results[n].append((i, q()))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for n in (0, 1):
        assert len(results[n]) == 4 * len(alone)
        for i, table in results[n]:
            assert table.equals(alone[i], check_metadata=True)
