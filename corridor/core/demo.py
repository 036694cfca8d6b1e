"""What every demo loader shares: the demo login's password and the labels of synthetic data.

Demo data that is not a real fact says so: records carry "[Synthetic] " / "【模拟】" before
their names, demo people "(synthetic)" / "（模拟）" after theirs.
"""

DEMO_PASSWORD = "corridor-demo"
SYNTHETIC_EN = "[Synthetic] "
SYNTHETIC_ZH = "【模拟】"
SYNTHETIC_PERSON_EN = " (synthetic)"
SYNTHETIC_PERSON_ZH = "（模拟）"
