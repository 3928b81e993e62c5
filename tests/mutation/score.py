#!/usr/bin/env python3
"""One line per mutated file from Stryker's JSON reports (tests/mutation/run calls this).

score  = killed / (killed + survived + no coverage + timeout), after leaving out the mutants EQUIVALENT.md lists.
A timeout counts as not caught unless EQUIVALENT.md lists it under "Hangs": a slow test that runs out the clock
is not a test that noticed (issue 18). Stryker's own figure, which counts every timeout as caught, is shown beside it.
Exits 1 when a file is under the target (85 %) or an EQUIVALENT.md line matches no mutant any more.
"""
import fnmatch, json, os, re, sys

TARGET = 85.0

def norm(text):
    return re.sub(r"\s+", " ", text or "").strip()

def read_targets(path):
    targets = []
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        name, globs, _ = line.rstrip("\n").split("\t")
        targets.append((name, [g.replace("**/", "*/") for g in globs.split(",")]))
    return targets

def read_explained(path):
    """Lines '- File.cs:LINE | Mutator name | `replacement` | why', grouped by the heading above them."""
    explained, section = [], ""
    if not os.path.exists(path):
        return explained
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            section = line.strip("# \n").lower()
        m = re.match(r"^- ([^:|]+):(\d+) \| ([^|]+?) \| `(.*)` \| (.+)$", line.strip())
        if m:
            explained.append({"file": m[1].strip(), "line": int(m[2]), "mutator": m[3].strip(),
                              "replacement": norm(m[4].replace("\\n", " ")), "hang": section.startswith("hang"),
                              "used": False, "text": line.strip()})
    return explained

def main():
    out, targets_path, explained_path, *only = sys.argv[1:]
    explained = read_explained(explained_path)
    failed = False
    rows = []
    for name, globs in read_targets(targets_path):
        if only and name not in only:
            continue
        report = os.path.join(out, name, "reports", "mutation-report.json")
        if not os.path.exists(report):
            print(f"{name}: no report ({report}); see {out}/{name}.log")
            failed = True
            continue
        files = json.load(open(report, encoding="utf-8"))["files"]
        for path, data in sorted(files.items()):
            if not any(fnmatch.fnmatch(path, g) for g in globs):
                continue
            base = os.path.basename(path)
            counts = {"Killed": 0, "Survived": 0, "NoCoverage": 0, "Timeout": 0, "equivalent": 0, "hang": 0}
            alive = []
            for m in data["mutants"]:
                status = m["status"]
                if status not in ("Killed", "Survived", "NoCoverage", "Timeout"):
                    continue
                if status != "Killed":
                    entry = next((e for e in explained if e["file"] == base and e["line"] == m["location"]["start"]["line"]
                                  and e["mutator"] == m["mutatorName"] and e["replacement"] == norm(m.get("replacement"))), None)
                    if entry is not None:
                        entry["used"] = True
                        counts["hang" if entry["hang"] and status == "Timeout" else "equivalent"] += 1
                        continue
                    alive.append(m)
                counts[status] += 1
            caught = counts["Killed"] + counts["hang"]
            total = caught + counts["Survived"] + counts["NoCoverage"] + counts["Timeout"]
            score = 100.0 * caught / total if total else 100.0
            stryker = 100.0 * (caught + counts["Timeout"]) / total if total else 100.0
            if score < TARGET:
                failed = True
            rows.append((base, score, stryker, counts, alive))
    for base, score, stryker, c, alive in rows:
        for m in alive:
            print(f"  alive {base}:{m['location']['start']['line']} | {m['mutatorName']} | `{norm(m.get('replacement'))}` | {m['status']}")
    for e in explained:
        if not e["used"] and any(e["file"] == r[0] for r in rows):
            print(f"  stale EQUIVALENT.md line (no such mutant now): {e['text']}")
            failed = True
    for base, score, stryker, c, alive in rows:
        print(f"{base}: {score:.1f} % (killed {c['Killed']}, survived {c['Survived']}, no coverage {c['NoCoverage']}, "
              f"timeout {c['Timeout']}, hangs {c['hang']}, equivalent {c['equivalent']}; Stryker's figure {stryker:.1f} %)")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
