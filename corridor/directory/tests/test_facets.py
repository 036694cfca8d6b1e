"""The decisive facets of offer and need lines, read from English and Chinese alike, and how a
need and an offer agree or differ on them (corridor/directory/facets.py, no Django)."""

from corridor.directory.facets import compare, extract


def kinds(points):
    return {(point.kind, point.value) for point in points}


# --- reading one line, in both languages -----------------------------------------------------


def test_a_route_is_read_the_same_in_english_and_chinese():
    assert extract("Reefer transport from Singapore to Chongqing at -18 °C.").routes == {
        ("SG", "CQ")
    }
    assert extract("我们需要把冷冻猪肉从新加坡运到重庆的冷链物流。").routes == {("SG", "CQ")}
    assert extract("我们提供重庆至新加坡的拼箱服务。").routes == {("CQ", "SG")}
    assert extract("Frozen durian exported to Singapore.").routes == {("", "SG")}
    assert extract("寻找新加坡的进口商，购买我们重庆产的火锅底料，出口到新加坡。").routes == {
        ("CQ", "SG")
    }


def test_a_place_passed_through_is_neither_origin_nor_destination():
    assert extract("我们需要把家电经新加坡转口到印尼。").routes == {("", "ID")}
    assert extract("Sea freight via Qinzhou from Singapore to Chongqing.").routes == {("SG", "CQ")}


def test_temperatures_are_read_from_words_and_degrees():
    frozen = extract("Frozen storage at -25 °C in Chongqing.")
    chilled = extract("我们在重庆提供2至8度冷藏仓储。")
    minus = extract("全程零下18度的冷链运输。")

    assert frozen.temperature == {"frozen"} and frozen.degrees == (-25.0,)
    assert chilled.temperature == {"chilled"} and chilled.degrees == (2.0, 8.0)
    assert minus.temperature == {"frozen"} and minus.degrees == (-18.0,)
    assert extract("We live-stream products on TikTok.").temperature == frozenset()


def test_currencies_payment_terms_authorities_and_scale_in_both_languages():
    english = extract("USD letters of credit for importers, HSA-registered, full containers.")
    chinese = extract("以美元开立信用证，已获卫生科学局（HSA）注册，40尺整柜。")

    for facets in (english, chinese):
        assert facets.currencies == {"USD"}
        assert facets.payment == {"letter-of-credit"}
        assert "HSA" in facets.authorities
        assert facets.scale == {"full containers"}
    assert extract("我们持有ICP许可证").authorities == {"ICP"}  # a code followed by Chinese
    assert extract("SGD/CNY forward hedging").currencies == {"SGD", "CNY"}
    assert extract("Non-recourse factoring").payment == {"non-recourse"}
    assert extract("有追索权保理").payment == {"recourse"}


def test_roles_say_what_the_writer_is_and_what_it_looks_for():
    need = extract("寻找新加坡的进口商，购买我们的冷冻虾。")
    maker = extract("我们是新加坡的火锅底料生产商，寻找中国的买家。")
    importer = extract("We import Chinese hotpot seasoning into Singapore.")

    assert need.seeks_roles == {"buyer"}
    assert maker.is_roles == {"maker"} and maker.seeks_roles == {"buyer"}
    assert importer.is_roles == {"buyer"}
    assert extract("我们开发工厂管理软件").is_roles == frozenset()  # 工厂 in a product's name


def test_excluded_things_are_kept_apart_from_what_the_line_offers():
    english = extract("We make frozen dumplings for export to Singapore; pork fillings, not halal.")
    chinese = extract("我们在新加坡销售电动货车，不含充电设备。")
    domestic = extract("我们生产速冻饺子，只供国内市场，不做出口。")

    assert "halal" not in english.authorities and "halal" in english.excluded.authorities
    assert "EV charger" not in chinese.products and "EV charger" in chinese.excluded.products
    assert domestic.domestic_only


# --- a need against an offer -----------------------------------------------------------------


def test_the_same_route_matches_and_the_reverse_route_differs_across_languages():
    need = "寻找新加坡的医药冷链物流，运输2至8度的疫苗从重庆到新加坡。"
    right_signal, right = compare(
        need, "Pharmaceutical cold chain at 2–8 °C, Chongqing to Singapore."
    )
    wrong_signal, wrong = compare(need, "我们提供新加坡到重庆的2至8度医药冷链。")

    assert ("route", "CQ>SG") in kinds(right.matches)
    assert ("temperature", "chilled 2..8") in kinds(right.matches)
    assert ("route", "SG>CQ") in kinds(wrong.differs)
    assert right_signal > 0 > wrong_signal


def test_another_temperature_currency_or_authority_differs():
    _, temperature = compare(
        "我们需要新加坡的猪肉进口商，购买我们的冷鲜猪肉，0至4度空运。",
        "我们进口零下18度的冷冻猪肉，海运整柜。",
    )
    _, currency = compare(
        "We need a Chinese e-textbook publisher for Singapore schools, priced in SGD.",
        "We license textbooks to schools in China, priced in RMB only.",
    )
    _, authority = compare(
        "我们需要新加坡卫生科学局（HSA）的医疗器械注册代理。",
        "我们为新加坡医疗器械企业办理中国药监局注册。",
    )

    assert ("temperature", "frozen -18") in kinds(temperature.differs)
    assert ("currency", "CNY") in kinds(currency.differs)
    assert ("authority", "NMPA") in kinds(authority.differs)


def test_a_seller_does_not_meet_a_need_for_a_buyer_nor_a_maker_one_for_a_certifier():
    _, seller = compare(
        "我们需要新加坡的碳信用买家，购买我们在云南的林业碳汇。",
        "We sell carbon credits from Indonesian forests to Chinese buyers.",
    )
    _, maker = compare(
        "We need CCC certification support to sell our Singapore-made power adapters in China.",
        "We manufacture power adapters with CCC certification in Chongqing.",
    )
    _, buyer = compare(
        "我们需要新加坡的碳信用买家，购买我们在云南的林业碳汇。",
        "We buy forestry carbon credits from projects in China, verified under Verra.",
    )

    assert ("role", "seller") in kinds(seller.differs)
    assert ("role", "maker") in kinds(maker.differs)
    assert ("role", "buyer") in kinds(buyer.matches) and not buyer.differs


def test_an_exclusion_differs_from_a_need_that_asks_for_it():
    signal, halal = compare(
        "We need a Chinese supplier of halal-certified frozen dumplings for Singapore.",
        "We make frozen dumplings for export to Singapore; pork fillings, not halal.",
    )
    _, charger = compare(
        "我们需要新加坡的电动车充电桩供应商，为我们的电动货车车队安装充电设施。",
        "We sell electric vans in Singapore; charging equipment not included.",
    )
    _, domestic = compare(
        "We need frozen dumplings exported to Singapore.", "我们生产速冻饺子，只供国内市场。"
    )

    assert ("excluded", "authority:halal") in kinds(halal.differs) and signal < 0
    assert ("excluded", "product:EV charger") in kinds(charger.differs)
    assert ("domestic_only", "") in kinds(domestic.differs)


def test_a_vehicle_is_not_its_charger():
    _, compared = compare(
        "Looking for a Chinese maker of electric buses for Singapore routes.",
        "We make EV chargers for electric vans, for export to Singapore.",
    )

    assert ("product", "EV charger") in kinds(compared.differs)


def test_an_offer_that_is_itself_looking_for_something_differs():
    _, compared = compare(
        "寻找新加坡的基金，对我们的重庆物流初创企业进行A轮股权投资。",
        "我们是新加坡物流初创企业，正在寻求A轮投资。",
    )

    assert ("also_seeking", "") in kinds(compared.differs)


def test_lines_without_decisive_facets_neither_match_nor_differ():
    signal, compared = compare("Hotel bookings for business travellers", "商务差旅酒店预订")

    assert signal == 0 and not compared.matches and not compared.differs
