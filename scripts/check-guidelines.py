#!/usr/bin/env python3
"""Fast structural check of guidelines/ (facts, terminology, policies) for authors, before the service's own
start-up validation (which is the authority). Usage: scripts/check-guidelines.py [--contract FILE]"""
import glob, os, re, sys
import yaml

def load(path):
    try:
        return yaml.safe_load(open(path)) or {}
    except yaml.YAMLError as e:
        errors.append(f"{path}: invalid YAML: {e}")
        return {}

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guidelines")
errors = []

def err(msg): errors.append(msg)

wellformed = {
    "icd10cm": lambda c: re.fullmatch(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?", c),
    "snomed": lambda c: re.fullmatch(r"[0-9]{6,18}", c),
    "cpt": lambda c: re.fullmatch(r"[0-9]{4}[0-9A-Z]", c),
    "loinc": lambda c: re.fullmatch(r"[0-9]{1,7}-[0-9]", c),
    "rxnorm": lambda c: re.fullmatch(r"[0-9]{2,8}", c),
    "hcpcs": lambda c: re.fullmatch(r"[A-Z][0-9]{4}", c),
    "actcode": lambda c: re.fullmatch(r"[A-Z]+", c),
}
valuesets = {}
for path in sorted(glob.glob(os.path.join(root, "terminology", "*.yaml"))):
    doc = load(path)
    for vs in doc.get("value_sets") or []:
        vid = vs.get("id")
        if not vid: err(f"{path}: value set without id"); continue
        if vid in valuesets: err(f"{path}: duplicate value set {vid} (also in {valuesets[vid]})")
        valuesets[vid] = os.path.basename(path)
        if not vs.get("source"): err(f"{path}: {vid}: 'source' is required")
        if set(vs) - {"id", "title", "source", "include", "note"}: err(f"{path}: {vid}: unknown keys {set(vs) - {'id','title','source','include','note'}}")
        if not vs.get("include"): err(f"{path}: {vid}: no include")
        for inc in vs.get("include") or []:
            system = inc.get("system")
            if system not in wellformed: err(f"{path}: {vid}: unknown system {system}"); continue
            for c in inc.get("codes") or []:
                if not wellformed[system](str(c)): err(f"{path}: {vid}: '{c}' is not a well-formed {system} code")
            for c in inc.get("prefixes") or []:
                if len(str(c)) < 3: err(f"{path}: {vid}: prefix '{c}' too short")

regions = ["cervical", "thoracic", "lumbar"]
derive_keys = {"conditions", "status", "verification", "findings", "measurement", "procedures", "planned", "medications", "encounter_classes", "concurrent_orders", "order_reasons", "union", "builtin"}
facts = {}
unions = []
for path in sorted(glob.glob(os.path.join(root, "facts", "*.yaml"))):
    doc = load(path)
    for f in doc.get("facts") or []:
        fid = f.get("id")
        if not fid or not f.get("question"): err(f"{path}: fact needs id and question: {f}"); continue
        extra = set(f) - {"id", "question", "type", "choices", "regions", "derive", "note", "windows"}
        if extra: err(f"{path}: {fid}: unknown keys {extra}")
        if f.get("type", "boolean") not in ("boolean", "number", "choice"): err(f"{path}: {fid}: bad type")
        regs = f.get("regions") or [""]
        if ("{region}" in fid) != bool(f.get("regions")): err(f"{path}: {fid}: '{{region}}' and 'regions' go together")
        for r in regs:
            if r and r not in regions: err(f"{path}: {fid}: bad region {r}")
            eid = fid.replace("{region}", r)
            if eid in facts: err(f"{path}: duplicate fact {eid} (also in {facts[eid]})")
            facts[eid] = os.path.basename(path)
            d = f.get("derive") or {}
            if set(d) - derive_keys: err(f"{path}: {eid}: unknown derive keys {set(d) - derive_keys}")
            for key in ("conditions", "findings", "procedures", "planned", "medications", "concurrent_orders", "order_reasons"):
                for vs in d.get(key) or []:
                    vs = vs.replace("{region}", r)
                    if vs not in valuesets: err(f"{path}: {eid}: unknown value set {vs}")
            m = d.get("measurement")
            if m:
                for vs in m.get("codes") or []:
                    if vs.replace("{region}", r) not in valuesets: err(f"{path}: {eid}: unknown value set {vs}")
            for u in d.get("union") or []:
                unions.append((path, eid, u.replace("{region}", r)))
for path, eid, u in unions:
    if u not in facts: err(f"{path}: {eid}: union member {u} is not a fact")

def walk(node, where, path, defs):
    if isinstance(node, str):
        check_fact(node, where, path); return
    if not isinstance(node, dict): err(f"{path}: {where}: condition must be a mapping or a fact id"); return
    if "fact" in node:
        check_fact(node["fact"], where, path)
        for other in ("after", "since"):
            if node.get(other): check_fact(node[other], where, path)
        return
    keys = set(node)
    if keys == {"at_least", "of"}:
        for c in node["of"]: walk(c, where, path, defs)
    elif keys in ({"all"}, {"any"}):
        for c in node[keys.pop()]: walk(c, where, path, defs)
    elif keys == {"not"}: walk(node["not"], where, path, defs)
    elif keys == {"ref"}:
        if node["ref"] not in defs: err(f"{path}: {where}: unknown definition {node['ref']}")
    else: err(f"{path}: {where}: unknown condition keys {keys}")

def check_fact(fid, where, path):
    ids = [fid.replace("{region}", r) for r in regions] if "{region}" in fid else [fid]
    for i in ids:
        if i not in facts: err(f"{path}: {where}: unknown fact {i}")

inventory = {}
for path in sorted(glob.glob(os.path.join(root, "sections", "*.yaml"))):
    doc = load(path)
    inventory.setdefault(doc.get("policy"), set()).update(str(s.get("id")) for s in doc.get("sections") or [])

try:
    import json, jsonschema
    schema = json.load(open(os.path.join(root, "schema", "policy.schema.json")))
    validator = jsonschema.Draft202012Validator(schema)
except ImportError:
    validator = None

for path in sorted(glob.glob(os.path.join(root, "policies", "*.yaml"))):
    doc = load(path)
    if validator is not None:
        for e in validator.iter_errors(doc):
            err(f"{path}: schema: {'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}")
    known_sections = inventory.get(doc.get("id"), set())
    for item in (doc.get("definitions") or []) + (doc.get("rules") or []):
        for c in item.get("covers") or []:
            if str(c) not in known_sections: err(f"{path}: {item.get('id')}: covers '{c}', which is not a section id of guidelines/sections/ for {doc.get('id')}")
    defs = {d["id"] for d in doc.get("definitions") or []}
    for d in doc.get("definitions") or []:
        if not d.get("section"): err(f"{path}: definition {d.get('id')}: section required")
        walk(d.get("when"), d.get("id"), path, defs)
    seen = set()
    for r in doc.get("rules") or []:
        rid = r.get("id")
        if rid in seen: err(f"{path}: duplicate rule {rid}")
        seen.add(rid)
        if not r.get("section"): err(f"{path}: {rid}: section required")
        if r.get("kind") not in ("indication", "exclusion"): err(f"{path}: {rid}: kind")
        walk(r.get("when"), rid, path, defs)
        for u in r.get("unless") or []: walk(u, rid, path, defs)

if "--contract" in sys.argv:
    contract = yaml.safe_load(open(sys.argv[sys.argv.index("--contract") + 1]))
    group = sys.argv[sys.argv.index("--group") + 1] if "--group" in sys.argv else None
    for g, ids in contract.items():
        if group and g != group: continue
        for i in ids:
            if i not in facts: err(f"contract fact {i} (group {g}) is not defined")

print("\n".join(errors) if errors else f"ok: {len(valuesets)} value sets, {len(facts)} facts")
sys.exit(1 if errors else 0)
