"""Validate a JUnit XML file against tests/oracles/junit.xsd with xmlschema.

Usage: junit_validate.py SCHEMA.xsd REPORT.xml
Prints JSON: {"valid": bool, "errors": [...], "suites": [{"name", "tests", "failures", "testcases"}]}.
"""
import json
import sys
import xml.etree.ElementTree as ET

import xmlschema

schema = xmlschema.XMLSchema(sys.argv[1])
errors = [str(e.reason) + " at " + str(e.path) for e in schema.iter_errors(sys.argv[2])]
root = ET.parse(sys.argv[2]).getroot()
suites = [
    {
        "name": s.get("name"),
        "tests": int(s.get("tests")),
        "failures": int(s.get("failures", "0")),
        "testcases": [
            {"name": c.get("name"), "failed": c.find("failure") is not None}
            for c in s.findall("testcase")
        ],
    }
    for s in root.findall("testsuite")
]
print(json.dumps({"valid": not errors, "errors": errors, "suites": suites}))
