"""Crew solver benchmark: a location-day of 30 journeys, 40 people and 15 trucks (issue 5).

Builds the deterministic synthetic day (``sync_server/seed/schedule_day.py``),
solves it with CP-SAT, checks every hard rule of the plan with the shared
rules (``plan_violations``) and prints the solve time. The last line is one
JSON object: {"journeys", "people", "trucks", "solve_ms", "status", ...}.

    .venv/bin/python benchmarks/assign_bench.py [--seed 42] [--time-limit 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Run as a plain script from a checkout: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync_server.scheduling import SolverSettings, plan_violations, solve
from sync_server.seed.schedule_day import synthetic_day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--journeys", type=int, default=30)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--trucks", type=int, default=15)
    parser.add_argument("--time-limit", type=float, default=10.0, help="deterministic seconds")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    settings = SolverSettings(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
    request = synthetic_day(
        journeys=args.journeys,
        people=args.people,
        trucks=args.trucks,
        seed=args.seed,
        settings=settings,
    )
    result = solve(request)
    problems = plan_violations(request, result)
    for problem in problems:
        print("VIOLATION:", problem, file=sys.stderr)
    staffed = sum(len(a.people) for a in result.assignments)
    print(
        f"{len(request.journeys)} journeys, {len(request.people)} people, "
        f"{len(request.trucks)} trucks: {result.status} in {result.solve_ms} ms; "
        f"{staffed} crew slots, {result.travel_minutes} min truck travel, "
        f"{result.overtime_minutes} min overtime, {len(result.warnings)} warning(s)"
    )
    print(
        json.dumps(
            {
                "journeys": len(request.journeys),
                "people": len(request.people),
                "trucks": len(request.trucks),
                "solve_ms": result.solve_ms,
                "status": result.status,
                "travel_minutes": result.travel_minutes,
                "overtime_minutes": result.overtime_minutes,
                "objective": result.objective,
                "violations": len(problems),
            }
        )
    )
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
