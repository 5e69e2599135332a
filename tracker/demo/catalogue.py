"""Fixed reference data the demo draws from (docs/architecture.md, demo data).

Category profiles, the product catalogue with price ranges (and the premium models only over-cap lines use), suppliers
and serial prefixes, how often each category is bought and in what quantities, how it is used and who reports its usage,
funding sources, departments, and the bodies and districts agency names are made of.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.categories import DEFAULT_PROFILES

PROFILES = {p.category: p for p in DEFAULT_PROFILES}


@dataclass(frozen=True)
class Item:
    category: str
    brand: str
    model: str
    name_zh: str  # 品目名称 as written in procurement
    price_lo: int
    price_hi: int


def _items(category: str, name_zh: str, *rows: tuple[str, str, int, int]) -> list[Item]:
    return [Item(category, brand, model, name_zh, lo, hi) for brand, model, lo, hi in rows]


CATALOGUE: tuple[Item, ...] = tuple(
    _items(
        "desktop",
        "台式计算机",
        ("联想", "启天 M437", 3800, 4990),
        ("联想", "开天 M740Z", 4200, 5000),
        ("华为", "擎云 B730E", 4300, 5000),
        ("惠普", "ProDesk 480 G9", 3900, 4800),
        ("戴尔", "OptiPlex 3000", 3600, 4700),
        ("同方", "超翔 TZ830", 4000, 5000),
    )
    + _items(
        "laptop",
        "笔记本电脑",
        ("联想", "ThinkPad E14", 4500, 6500),
        ("联想", "昭阳 K4e", 4200, 5800),
        ("华为", "MateBook D 14", 4300, 5500),
        ("惠普", "战66", 4200, 6200),
    )
    + _items("laptop", "便携式计算机", ("戴尔", "Latitude 3440", 4800, 7000))
    + _items(
        "tablet",
        "平板电脑",
        ("华为", "MatePad 11", 2300, 3200),
        ("联想", "小新Pad Pro", 1800, 2600),
        ("苹果", "iPad 10.9", 3000, 3600),
    )
    + _items(
        "monitor",
        "显示器",
        ("联想", "ThinkVision T24i", 900, 1300),
        ("戴尔", "P2422H", 1100, 1500),
        ("华为", "MateView SE", 800, 1100),
        ("惠普", "E24 G5", 900, 1300),
    )
    + _items(
        "printer",
        "打印机",
        ("得力", "P2500DNW 激光", 800, 1100),
        ("奔图", "P3301DN 激光", 900, 1200),
        ("联想", "LJ2405D 激光", 800, 1050),
        ("惠普", "LaserJet M208dw", 1000, 1200),
    )
    + _items("copier", "多功能一体机", ("理光", "IM 2702", 9000, 14000), ("惠普", "LaserJet MFP M437nda", 6000, 8500))
    + _items("copier", "复印机", ("京瓷", "TASKalfa 2020", 8000, 12000), ("东芝", "e-STUDIO 2523AD", 8500, 12500))
    + _items(
        "scanner", "扫描仪", ("爱普生", "DS-530 II", 2500, 3500), ("富士通", "fi-7160", 5500, 7500), ("得力", "D7000", 1500, 2500)
    )
    + _items(
        "projector",
        "投影仪",
        ("爱普生", "CB-FH52", 4000, 5500),
        ("爱普生", "CB-X06", 3000, 3800),
        ("明基", "E540", 4500, 6000),
        ("索尼", "VPL-EX570", 6000, 8000),
    )
    + _items("av_conference", "视频会议设备", ("华为", "TE30 视频终端", 12000, 20000), ("中兴", "ZXV10 XT502", 10000, 16000))
    + _items("av_conference", "会议系统", ("宝利通", "Studio X30", 18000, 26000))
    + _items("camera", "照相机", ("佳能", "EOS R6 Mark II", 14000, 17000), ("索尼", "A7 IV", 15000, 18000))
    + _items("camera", "摄像机", ("佳能", "XF605", 20000, 26000))
    + _items(
        "instrument",
        "仪器仪表",
        ("普源", "DS1202Z-E 示波器", 2600, 3500),
        ("福禄克", "87V 数字万用表", 3500, 4500),
        ("是德", "DSOX1204G 示波器", 9000, 13000),
    )
    + _items(
        "server",
        "服务器",
        ("浪潮", "NF5280M6", 45000, 90000),
        ("华为", "FusionServer 2288H V6", 50000, 110000),
        ("联想", "ThinkSystem SR650 V2", 40000, 95000),
        ("新华三", "R4900 G5", 45000, 100000),
    )
    + _items(
        "network",
        "交换机",
        ("华为", "S5735-L48T4X", 3500, 6000),
        ("新华三", "S5130S-52S", 3000, 5500),
        ("中兴", "ZXR10 5960", 4000, 7000),
    )
    + _items("network", "路由器", ("华为", "AR6140", 12000, 20000))
    + _items("network", "网络设备", ("锐捷", "RG-WALL 1600 防火墙", 15000, 30000))
    + _items(
        "storage",
        "存储设备",
        ("华为", "OceanStor 5310", 80000, 150000),
        ("浪潮", "AS2600G5", 60000, 120000),
        ("群晖", "DS1821+", 8000, 15000),
    )
    + _items("other", "其他", ("山特", "C3KS UPS电源", 3000, 4500), ("得力", "9903 碎纸机", 800, 1500))
)
# Models priced above the category cap, used only by planted OVER_PRICE_CAP lines.
PREMIUM: tuple[Item, ...] = tuple(
    _items(
        "laptop",
        "笔记本电脑",
        ("联想", "ThinkPad X1 Carbon", 9500, 12900),
        ("苹果", "MacBook Pro 14", 13000, 15900),
        ("华为", "MateBook X Pro", 8500, 9900),
    )
    + _items("desktop", "台式计算机", ("惠普", "Z2 G9 图形工作站", 6800, 9800), ("戴尔", "Precision 3680 工作站", 7000, 11000))
    + _items(
        "printer", "打印机", ("惠普", "Color LaserJet Pro M454dw 彩色激光", 2600, 3200), ("爱普生", "L15158 彩色喷墨", 1900, 2600)
    )
)
SUPPLIERS = {
    "联想": "联想（北京）有限公司",
    "华为": "华为技术有限公司",
    "惠普": "惠普贸易（上海）有限公司",
    "戴尔": "戴尔（中国）有限公司",
    "同方": "同方股份有限公司",
    "苹果": "苹果电子产品商贸（北京）有限公司",
    "得力": "得力集团有限公司",
    "奔图": "珠海奔图电子有限公司",
    "理光": "理光（中国）投资有限公司",
    "京瓷": "京瓷办公信息系统（中国）有限公司",
    "东芝": "东芝泰格信息系统（深圳）有限公司",
    "爱普生": "爱普生（中国）有限公司",
    "富士通": "富士通（中国）信息系统有限公司",
    "明基": "明基电通信息技术有限公司",
    "索尼": "索尼（中国）有限公司",
    "中兴": "中兴通讯股份有限公司",
    "宝利通": "宝利通（北京）网络科技有限公司",
    "佳能": "佳能（中国）有限公司",
    "普源": "普源精电科技股份有限公司",
    "福禄克": "福禄克测试仪器（上海）有限公司",
    "是德": "是德科技（中国）有限公司",
    "浪潮": "浪潮电子信息产业股份有限公司",
    "新华三": "新华三技术有限公司",
    "锐捷": "锐捷网络股份有限公司",
    "群晖": "群晖科技（上海）有限公司",
    "山特": "山特电子（深圳）有限公司",
}
SERIAL_PREFIX = {brand: f"{i:02d}" for i, brand in enumerate(SUPPLIERS)}
LINE_WEIGHTS = {
    "desktop": 0.20,
    "laptop": 0.16,
    "tablet": 0.04,
    "monitor": 0.08,
    "printer": 0.12,
    "copier": 0.04,
    "scanner": 0.04,
    "projector": 0.07,
    "av_conference": 0.03,
    "camera": 0.03,
    "instrument": 0.03,
    "server": 0.04,
    "network": 0.06,
    "storage": 0.02,
    "other": 0.04,
}
QUANTITY = {
    "desktop": (1, 30),
    "laptop": (1, 20),
    "tablet": (1, 10),
    "monitor": (1, 20),
    "printer": (1, 8),
    "copier": (1, 2),
    "scanner": (1, 3),
    "projector": (1, 4),
    "av_conference": (1, 2),
    "camera": (1, 2),
    "instrument": (1, 3),
    "server": (1, 4),
    "network": (1, 6),
    "storage": (1, 2),
    "other": (1, 4),
}
# Regular use: chance of use on an available day (range per asset), on other days (overtime, 加班), hours on a used day.
USE = {
    "desktop": (0.90, 0.99, 0.30, 3.5, 9.0),
    "laptop": (0.88, 0.98, 0.35, 3.0, 8.5),
    "tablet": (0.80, 0.95, 0.20, 2.0, 6.0),
    "monitor": (0.90, 0.99, 0.30, 3.5, 9.0),
    "printer": (0.88, 0.98, 0.12, 1.0, 3.5),
    "copier": (0.90, 0.99, 0.12, 1.5, 4.5),
    "scanner": (0.75, 0.92, 0.03, 1.0, 3.0),
    "projector": (0.65, 0.88, 0.03, 2.0, 5.0),
    "av_conference": (0.60, 0.85, 0.03, 2.0, 5.0),
    "camera": (0.60, 0.85, 0.10, 1.5, 4.0),
    "instrument": (0.88, 0.98, 0.05, 5.0, 7.0),
    "server": (0.99, 1.0, 0, 20.0, 24.0),
    "network": (0.99, 1.0, 0, 20.0, 24.0),
    "storage": (0.99, 1.0, 0, 20.0, 24.0),
    "other": (0.88, 0.98, 0.15, 2.0, 7.0),
}
SOURCE = {
    "printer": "meter",
    "copier": "meter",
    "scanner": "meter",
    "projector": "meter",
    "av_conference": "meter",
    "camera": "meter",
    "instrument": "meter",
    "server": "agent",
    "network": "agent",
    "storage": "agent",
}
SOURCES = ("agent", "login-log", "meter")
UNTRACKED_BY_PARTIAL = ("printer", "projector")  # agencies that log computers but not these
FUNDING = ("财政拨款", "财政拨款", "专项资金", "自有资金", "上级补助")
DEPARTMENTS = ("办公室", "财务科", "人事科", "综合科", "法规科", "业务一科", "业务二科", "监督检查科", "后勤服务中心")
CITY_BODIES = (
    "教育局",
    "卫生健康委员会",
    "财政局",
    "公安局",
    "民政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "应急管理局",
    "审计局",
    "司法局",
    "科学技术局",
    "退役军人事务局",
    "林业局",
    "体育局",
    "档案馆",
)
DISTRICTS = (
    "东城区",
    "西城区",
    "南山区",
    "北湖区",
    "高新区",
    "滨江区",
    "青山区",
    "江北区",
    "临港区",
    "河西区",
    "新城区",
    "老城区",
    "经开区",
    "云溪区",
    "金湖区",
    "龙泉区",
    "白沙区",
    "清河区",
    "望江区",
    "凤凰区",
    "石门县",
    "桃源县",
    "安平县",
    "永宁县",
    "长乐县",
    "兴隆县",
    "平山县",
    "柳林县",
    "黄梅县",
    "清水县",
    "三河县",
    "宁远县",
    "福安县",
    "嘉禾县",
    "蓝田县",
    "静海县",
    "太和县",
    "武安县",
    "松溪县",
    "泰宁县",
)
