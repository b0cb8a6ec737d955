"""`cli.py ingest`: the summary a person reads — source, section tree with page spans, table previews."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, pdf


def test_summary_of_a_final_accounts_pdf():
    result = subprocess.run([sys.executable, "cli.py", "ingest", str(pdf("putuo-finance-2024-final-accounts"))],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["file:       putuo-finance-2024-final-accounts.pdf", "pages:      25",
                         "input kind: pdf_text"]
    assert "    s4 [narrative] 二、部门决算单位构成 (p5) tables=t1" in lines
    assert "    s6 [statement_table] 收入支出决算总表 (p6-7) tables=t2" in lines
    total = lines.index("  t2 收入支出决算总表 | unit: 万元 | p6-7 | 32 rows x 4 cols")
    assert lines[total + 3] == "      | 一、一般公共预算财政拨款收入 | 2,940.05 | 一、一般公共服务支出 | 2,106.66 |"
