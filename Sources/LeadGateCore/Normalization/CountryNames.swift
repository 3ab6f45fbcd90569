/// The names `CountryNormalizer` knows, one country a line: alpha-2 first, names separated by `|`.
/// Spelling variants that differ only in case, accents or punctuation need no line of their own.
enum CountryNames {
    /// ISO 3166-1: alpha-2, alpha-3, the English short name and the ISO long forms people paste from dropdowns.
    static let iso = """
    AF AFG Afghanistan
    AX ALA Åland Islands|Aland
    AL ALB Albania
    DZ DZA Algeria
    AS ASM American Samoa
    AD AND Andorra
    AO AGO Angola
    AI AIA Anguilla
    AQ ATA Antarctica
    AG ATG Antigua and Barbuda
    AR ARG Argentina
    AM ARM Armenia
    AW ABW Aruba
    AU AUS Australia
    AT AUT Austria
    AZ AZE Azerbaijan
    BS BHS Bahamas
    BH BHR Bahrain
    BD BGD Bangladesh
    BB BRB Barbados
    BY BLR Belarus
    BE BEL Belgium
    BZ BLZ Belize
    BJ BEN Benin
    BM BMU Bermuda
    BT BTN Bhutan
    BO BOL Bolivia|Bolivia (Plurinational State of)
    BQ BES Bonaire, Sint Eustatius and Saba|Caribbean Netherlands
    BA BIH Bosnia and Herzegovina|Bosnia
    BW BWA Botswana
    BV BVT Bouvet Island
    BR BRA Brazil
    IO IOT British Indian Ocean Territory
    BN BRN Brunei Darussalam|Brunei
    BG BGR Bulgaria
    BF BFA Burkina Faso
    BI BDI Burundi
    CV CPV Cabo Verde|Cape Verde
    KH KHM Cambodia
    CM CMR Cameroon
    CA CAN Canada
    KY CYM Cayman Islands
    CF CAF Central African Republic
    TD TCD Chad
    CL CHL Chile
    CN CHN China|People's Republic of China|PRC
    CX CXR Christmas Island
    CC CCK Cocos (Keeling) Islands|Cocos Islands
    CO COL Colombia
    KM COM Comoros
    CG COG Congo|Republic of the Congo|Congo-Brazzaville
    CD COD Congo, Democratic Republic of the|Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa
    CK COK Cook Islands
    CR CRI Costa Rica
    CI CIV Côte d'Ivoire|Ivory Coast
    HR HRV Croatia
    CU CUB Cuba
    CW CUW Curaçao
    CY CYP Cyprus
    CZ CZE Czechia|Czech Republic
    DK DNK Denmark
    DJ DJI Djibouti
    DM DMA Dominica
    DO DOM Dominican Republic
    EC ECU Ecuador
    EG EGY Egypt
    SV SLV El Salvador
    GQ GNQ Equatorial Guinea
    ER ERI Eritrea
    EE EST Estonia
    SZ SWZ Eswatini|Swaziland
    ET ETH Ethiopia
    FK FLK Falkland Islands (Malvinas)|Falkland Islands
    FO FRO Faroe Islands
    FJ FJI Fiji
    FI FIN Finland
    FR FRA France
    GF GUF French Guiana
    PF PYF French Polynesia
    TF ATF French Southern Territories
    GA GAB Gabon
    GM GMB Gambia
    GE GEO Georgia
    DE DEU Germany
    GH GHA Ghana
    GI GIB Gibraltar
    GR GRC Greece
    GL GRL Greenland
    GD GRD Grenada
    GP GLP Guadeloupe
    GU GUM Guam
    GT GTM Guatemala
    GG GGY Guernsey
    GN GIN Guinea
    GW GNB Guinea-Bissau
    GY GUY Guyana
    HT HTI Haiti
    HM HMD Heard Island and McDonald Islands
    VA VAT Holy See|Vatican|Vatican City
    HN HND Honduras
    HK HKG Hong Kong
    HU HUN Hungary
    IS ISL Iceland
    IN IND India
    ID IDN Indonesia
    IR IRN Iran|Iran (Islamic Republic of)|Iran, Islamic Republic of
    IQ IRQ Iraq
    IE IRL Ireland|Republic of Ireland
    IM IMN Isle of Man
    IL ISR Israel
    IT ITA Italy
    JM JAM Jamaica
    JP JPN Japan
    JE JEY Jersey
    JO JOR Jordan
    KZ KAZ Kazakhstan
    KE KEN Kenya
    KI KIR Kiribati
    KP PRK North Korea|Korea (Democratic People's Republic of)|Korea, Democratic People's Republic of|DPRK
    KR KOR South Korea|Korea, Republic of|Republic of Korea|Korea
    KW KWT Kuwait
    KG KGZ Kyrgyzstan
    LA LAO Laos|Lao People's Democratic Republic
    LV LVA Latvia
    LB LBN Lebanon
    LS LSO Lesotho
    LR LBR Liberia
    LY LBY Libya
    LI LIE Liechtenstein
    LT LTU Lithuania
    LU LUX Luxembourg
    MO MAC Macao|Macau
    MG MDG Madagascar
    MW MWI Malawi
    MY MYS Malaysia
    MV MDV Maldives
    ML MLI Mali
    MT MLT Malta
    MH MHL Marshall Islands
    MQ MTQ Martinique
    MR MRT Mauritania
    MU MUS Mauritius
    YT MYT Mayotte
    MX MEX Mexico
    FM FSM Micronesia|Micronesia (Federated States of)|Federated States of Micronesia
    MD MDA Moldova|Moldova, Republic of|Republic of Moldova
    MC MCO Monaco
    MN MNG Mongolia
    ME MNE Montenegro
    MS MSR Montserrat
    MA MAR Morocco
    MZ MOZ Mozambique
    MM MMR Myanmar|Burma
    NA NAM Namibia
    NR NRU Nauru
    NP NPL Nepal
    NL NLD Netherlands|Netherlands, Kingdom of the|Holland
    NC NCL New Caledonia
    NZ NZL New Zealand
    NI NIC Nicaragua
    NE NER Niger
    NG NGA Nigeria
    NU NIU Niue
    NF NFK Norfolk Island
    MK MKD North Macedonia|Macedonia
    MP MNP Northern Mariana Islands
    NO NOR Norway
    OM OMN Oman
    PK PAK Pakistan
    PW PLW Palau
    PS PSE Palestine|Palestine, State of|State of Palestine|Palestinian Territories
    PA PAN Panama
    PG PNG Papua New Guinea
    PY PRY Paraguay
    PE PER Peru
    PH PHL Philippines
    PN PCN Pitcairn|Pitcairn Islands
    PL POL Poland
    PT PRT Portugal
    PR PRI Puerto Rico
    QA QAT Qatar
    RE REU Réunion
    RO ROU Romania
    RU RUS Russian Federation|Russia
    RW RWA Rwanda
    BL BLM Saint Barthélemy|St Barthélemy|St Barts
    SH SHN Saint Helena, Ascension and Tristan da Cunha|Saint Helena|St Helena
    KN KNA Saint Kitts and Nevis|St Kitts and Nevis
    LC LCA Saint Lucia|St Lucia
    MF MAF Saint Martin (French part)|Saint Martin|St Martin
    PM SPM Saint Pierre and Miquelon|St Pierre and Miquelon
    VC VCT Saint Vincent and the Grenadines|St Vincent and the Grenadines
    WS WSM Samoa
    SM SMR San Marino
    ST STP Sao Tome and Principe
    SA SAU Saudi Arabia|KSA
    SN SEN Senegal
    RS SRB Serbia
    SC SYC Seychelles
    SL SLE Sierra Leone
    SG SGP Singapore
    SX SXM Sint Maarten (Dutch part)|Sint Maarten
    SK SVK Slovakia|Slovak Republic
    SI SVN Slovenia
    SB SLB Solomon Islands
    SO SOM Somalia
    ZA ZAF South Africa|RSA
    GS SGS South Georgia and the South Sandwich Islands
    SS SSD South Sudan
    ES ESP Spain
    LK LKA Sri Lanka
    SD SDN Sudan
    SR SUR Suriname
    SJ SJM Svalbard and Jan Mayen
    SE SWE Sweden
    CH CHE Switzerland
    SY SYR Syria|Syrian Arab Republic
    TW TWN Taiwan|Taiwan, Province of China|Republic of China
    TJ TJK Tajikistan
    TZ TZA Tanzania|Tanzania, United Republic of|United Republic of Tanzania
    TH THA Thailand
    TL TLS Timor-Leste|East Timor
    TG TGO Togo
    TK TKL Tokelau
    TO TON Tonga
    TT TTO Trinidad and Tobago
    TN TUN Tunisia
    TR TUR Türkiye|Turkey
    TM TKM Turkmenistan
    TC TCA Turks and Caicos Islands
    TV TUV Tuvalu
    UG UGA Uganda
    UA UKR Ukraine
    AE ARE United Arab Emirates|UAE|Emirates
    GB GBR United Kingdom|United Kingdom of Great Britain and Northern Ireland
    US USA United States|United States of America
    UM UMI United States Minor Outlying Islands
    UY URY Uruguay
    UZ UZB Uzbekistan
    VU VUT Vanuatu
    VE VEN Venezuela|Venezuela (Bolivarian Republic of)
    VN VNM Viet Nam|Vietnam
    VG VGB Virgin Islands (British)|British Virgin Islands
    VI VIR Virgin Islands (U.S.)|US Virgin Islands
    WF WLF Wallis and Futuna
    EH ESH Western Sahara
    YE YEM Yemen
    ZM ZMB Zambia
    ZW ZWE Zimbabwe
    XK XKX Kosovo
    """

    /// English names people use that are not the ISO ones.
    static let aliases = """
    US America|the States
    GB UK|Great Britain|Britain|England|Scotland|Wales|Northern Ireland
    KR Korea, South
    KP Korea, North
    """

    static let hebrew = """
    IL ישראל|מדינת ישראל
    US ארצות הברית|ארה"ב|אמריקה
    GB בריטניה|הממלכה המאוחדת|אנגליה|סקוטלנד
    FR צרפת
    DE גרמניה
    RU רוסיה
    UA אוקראינה
    IN הודו
    CN סין
    JP יפן
    KR דרום קוריאה
    IT איטליה
    ES ספרד
    PT פורטוגל
    NL הולנד
    BE בלגיה
    CH שווייץ|שוויץ
    AT אוסטריה
    PL פולין
    RO רומניה
    HU הונגריה
    CZ צ'כיה
    GR יוון
    CY קפריסין
    TR טורקיה
    EG מצרים
    JO ירדן
    AE איחוד האמירויות|איחוד האמירויות הערביות|האמירויות
    MA מרוקו
    PS פלסטין|הרשות הפלסטינית
    LB לבנון
    SY סוריה
    CA קנדה
    MX מקסיקו
    BR ברזיל
    AR ארגנטינה
    AU אוסטרליה
    NZ ניו זילנד
    ZA דרום אפריקה
    SE שוודיה
    NO נורווגיה
    DK דנמרק
    FI פינלנד
    IE אירלנד
    BG בולגריה
    GE גאורגיה|גרוזיה
    ET אתיופיה
    TH תאילנד
    SG סינגפור
    BY בלארוס|בלרוס|בלרוסיה
    MD מולדובה
    AZ אזרבייג'ן
    KZ קזחסטן
    VN וייטנאם
    PH הפיליפינים
    CO קולומביה
    """

    static let arabic = """
    IL إسرائيل
    US الولايات المتحدة|الولايات المتحدة الأمريكية|أمريكا
    GB المملكة المتحدة|بريطانيا
    FR فرنسا
    DE ألمانيا
    RU روسيا
    UA أوكرانيا
    IN الهند
    CN الصين
    IT إيطاليا
    ES إسبانيا
    CA كندا
    TR تركيا
    EG مصر
    JO الأردن
    SA السعودية|المملكة العربية السعودية
    AE الإمارات|الإمارات العربية المتحدة
    PS فلسطين
    LB لبنان
    SY سوريا
    IQ العراق
    MA المغرب
    DZ الجزائر
    TN تونس
    LY ليبيا
    SD السودان
    QA قطر
    KW الكويت
    BH البحرين
    OM عمان|سلطنة عمان
    YE اليمن
    """

    static let russian = """
    RU Россия|Российская Федерация|РФ
    IL Израиль
    US США|Соединённые Штаты|Соединённые Штаты Америки|Америка
    GB Великобритания|Англия|Соединённое Королевство
    UA Украина
    BY Беларусь|Белоруссия
    KZ Казахстан
    DE Германия
    FR Франция
    IT Италия
    ES Испания
    CN Китай
    IN Индия
    JP Япония
    TR Турция
    PL Польша
    CZ Чехия
    FI Финляндия
    CY Кипр
    CA Канада
    AE ОАЭ|Объединённые Арабские Эмираты
    GE Грузия
    AM Армения
    AZ Азербайджан
    UZ Узбекистан
    KG Киргизия|Кыргызстан
    TJ Таджикистан
    TM Туркменистан|Туркмения
    MD Молдова|Молдавия
    LV Латвия
    LT Литва
    EE Эстония
    """

    /// Names in the countries' own languages.
    static let native = """
    DE Deutschland|Bundesrepublik Deutschland
    AT Österreich
    CH Schweiz|Suisse|Svizzera|Svizra
    FR République française
    BE België|Belgique|Belgien
    NL Nederland
    LU Lëtzebuerg
    ES España
    IT Italia
    PT República Portuguesa
    BR Brasil
    MX Estados Unidos Mexicanos
    PL Polska
    CZ Česko|Česká republika
    SK Slovensko
    HU Magyarország
    RO România
    BG България
    GR Ελλάδα|Ελλάς
    CY Κύπρος|Kıbrıs
    SE Sverige
    NO Norge|Noreg
    DK Danmark
    FI Suomi
    IS Ísland
    IE Éire
    HR Hrvatska
    SI Slovenija
    RS Србија|Srbija
    BA Bosna i Hercegovina
    MK Северна Македонија
    AL Shqipëria
    LT Lietuva
    LV Latvija
    EE Eesti
    UA Україна
    KZ Қазақстан
    GE საქართველო|Sakartvelo
    AM Հայաստան|Hayastan
    TR Türkiye Cumhuriyeti
    IR ایران
    IN भारत|Bharat
    CN 中国|中华人民共和国|Zhongguo
    TW 台灣|台湾
    HK 香港
    JP 日本|Nippon|Nihon
    KR 대한민국|한국
    TH ประเทศไทย|ไทย
    PH Pilipinas
    """
}
