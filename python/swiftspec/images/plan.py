# SPDX-License-Identifier: GPL-2.0-or-later
"""What a run has to do: the sources under IN, less those the journal says are done."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Dict, List, Tuple, Union

from .convert import Task
from .journal import Entry, finished_outputs
from .manifest import clip_rows
from .sources import find_sources, output_stems, source_signature
from .summary import Summary


@dataclass
class Plan:
    tasks: List[Task] = field(default_factory=list)  # biggest file first
    signatures: Dict[str, List[int]] = field(default_factory=dict)  # see source_signature
    stems: Dict[str, str] = field(default_factory=dict)  # see output_stems
    done: Dict[str, Entry] = field(default_factory=dict)  # journal entries, files done
    rows: List[List[Any]] = field(default_factory=list)  # their manifest rows


def plan_work(
    in_path: Union[str, os.PathLike[str]],
    out_dir: Path,
    journal: Dict[str, Entry],
    summary: Summary,
    packed: AbstractSet[str] = frozenset(),
) -> Plan:
    """The files under ``in_path`` to convert into ``out_dir``, given the ``journal``.

    A file the journal lists (unchanged since) whose outputs all exist, or whose clips
    are all in written shards (``packed``, see `shards.packed_sources`), is done; one
    whose outputs are partly there is converted keeping those; sources that cannot be
    listed or read are counted in ``summary`` as failed.
    """
    unlistable: List[Tuple[str, str]] = []
    sources = find_sources(in_path, out_dir, errors=unlistable)
    for folder, message in unlistable:
        summary.add_problem(folder, "error", message)
    plan = Plan(stems=output_stems([rel for _, rel in sources]))
    summary.files = len(sources)
    for path, rel in sources:
        try:
            signature = source_signature(path)
        except OSError as error:
            summary.add_problem(rel, "error", f"{type(error).__name__}: {error}")
            continue
        plan.signatures[rel] = signature
        stem = plan.stems[rel]
        outputs = finished_outputs(journal.get(rel), signature, stem)
        keep: Tuple[str, ...] = ()
        if outputs is not None:
            keep = tuple(o for o in outputs if rel in packed or (out_dir / o).is_file())
            if len(keep) == len(outputs):
                summary.skipped += 1
                summary.clips_total += len(outputs)
                plan.rows.extend(clip_rows(rel, journal[rel]["rows"]))
                plan.done[rel] = journal[rel]
                continue
        plan.tasks.append(Task(path, rel, stem, str(out_dir), keep))
    # Biggest files first, so that no long file starts last and runs alone.
    plan.tasks.sort(key=lambda t: -plan.signatures[t.rel][0])
    return plan
