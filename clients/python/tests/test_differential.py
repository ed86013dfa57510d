"""Differential test: random mutations of the shared vectors, verified by the
C++ code (clients_vectors --run, the path in CLIENTS_VECTORS_BIN) and by this
package, must get the same outcome and reason."""
import copy
import json
import os
import random
import subprocess
import tempfile
import unittest

import test_strict as mut
from vector_runner import FILES, load, run

BIN = os.environ.get("CLIENTS_VECTORS_BIN")
ROUNDS = int(os.environ.get("CLIENT_DIFF_ROUNDS", "20"))  # per valid case; CLIENT_DIFF_SEED varies them


@unittest.skipUnless(BIN, "CLIENTS_VECTORS_BIN names the C++ vector tool")
class AgainstCpp(unittest.TestCase):
    def test_mutations_agree(self):
        rng = random.Random(os.environ.get("CLIENT_DIFF_SEED", "clients-differential"))
        cases = []
        for name in FILES:
            for case in load(name):
                field = mut.main_field(case)
                if field is None or field not in case:
                    continue
                data = mut.as_bytes(case, field)
                # Must-fail cases too, fewer rounds: a mutation may make one pass.
                for r in range(ROUNDS if case["expect"]["ok"] else max(1, ROUNDS // 4)):
                    c = copy.deepcopy(case)
                    mut.put_bytes(c, field, mut.mutate_bytes(rng, data))
                    c["name"] = f"{case['name']}/bytes-{r}"
                    cases.append(c)
                if case["check"] in ("receipt", "state") and data.lstrip()[:1] == b"{" and case["expect"]["ok"]:
                    parsed = json.loads(data)
                    for r in range(ROUNDS):
                        c = copy.deepcopy(case)
                        c[field] = json.dumps(mut.mutate_json(rng, parsed))
                        c["name"] = f"{case['name']}/json-{r}"
                        cases.append(c)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(cases, f)
            path = f.name
        try:
            out = subprocess.run([BIN, "--run", path], capture_output=True, text=True, timeout=600)
        finally:
            os.unlink(path)
        self.assertEqual(out.returncode, 0, out.stderr)
        cpp = json.loads(out.stdout)
        self.assertEqual(len(cpp), len(cases))
        mismatches = [(c["name"], want, run(c)) for c, want in zip(cases, cpp) if run(c) != want]
        self.assertEqual(mismatches, [], f"{len(mismatches)} of {len(cases)} differ")


if __name__ == "__main__":
    unittest.main()
