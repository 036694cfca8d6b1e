"""The initiative's sector vocabulary: its four priority sectors first, then the others."""

SECTORS = [
    # code, English, Chinese, priority
    ("financial-services", "Financial services", "金融服务", True),
    ("aviation", "Aviation", "航空", True),
    ("transport-logistics", "Transport and logistics", "交通物流", True),
    ("ict", "Information and communications technology", "信息通信技术", True),
    ("agriculture-food", "Agriculture and food", "农业与食品", False),
    ("manufacturing", "Manufacturing", "制造业", False),
    ("health", "Health", "医疗健康", False),
    ("education", "Education", "教育", False),
    ("tourism", "Tourism", "旅游", False),
    ("digital-economy", "Digital economy", "数字经济", False),
    ("green-development", "Green development", "绿色发展", False),
    ("trade", "Trade and commerce", "商贸", False),
    ("other", "Other", "其他", False),
]
