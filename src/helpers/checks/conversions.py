"""How the same quantity stated in different units is compared (cross-document checks, observations)."""

# Unit conversions used to compare the same metric stated in different units.
# Each maps a unit to (canonical unit, function, factor applied to the rounding half-unit).
CONVERSIONS = {
    "万吨": ("亿公斤", lambda v: v / 10, 0.1),     # 1 万吨 = 10^7 kg = 0.1 亿公斤
    "index": ("%", lambda v: v - 100, 1.0),        # price index, previous year = 100 -> % change
    "项": ("个", lambda v: v, 1.0),                  # two measure words for the same count of items
    "万家": ("家", lambda v: v * 10_000, 10_000.0),  # 3.69万家 = 36,900 firms
    "万户": ("户", lambda v: v * 10_000, 10_000.0),  # 1.5万户 = 15,000 (households or enterprises)
}
