/**
 * The `region_code` values the Research API accepts: the list TikTok's documentation gives (ISO
 * 3166-1 alpha-2, plus `XK` Kosovo and `TP` East Timor's old code). A code outside it is not an
 * error at the API — it silently matches nothing — so tikflow refuses it before the first request.
 */
export const regionCodes: ReadonlySet<string> = new Set(
  ("AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CD CF CG CH CI CK CL CM CN CO CR CU CV CW CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
    "KE KG KH KI KM KN KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS " +
    "MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
    "RS RU RW SA SB SC SD SE SG SH SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TP TR TT " +
    "TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW").split(" ")
)

/** Codes people type that are not the ISO code of the region they mean. */
const aliases: Readonly<Record<string, string>> = {
  UK: "GB", EL: "GR", EN: "GB", USA: "US", GBR: "GB", CAN: "CA", DEU: "DE", FRA: "FR", JPN: "JP", AUS: "AU",
  BRA: "BR", IND: "IN", MEX: "MX", ESP: "ES", ITA: "IT", NLD: "NL", KOR: "KR", CHN: "CN", RUS: "RU", TUR: "TR",
  IDN: "ID", POL: "PL", SWE: "SE", CHE: "CH", AUT: "AT", BEL: "BE", NZL: "NZ", IRL: "IE", ZAF: "ZA", ARG: "AR"
}

export const isRegionCode = (value: string): boolean => regionCodes.has(value)

/**
 * The code the user most likely meant by a refused one: the same code in upper case, a known alias
 * (`UK` → `GB`, alpha-3 codes of the largest regions), or the only accepted code one letter away.
 * Undefined when no single guess is good enough to suggest.
 */
export const suggestRegionCode = (value: string): string | undefined => {
  const upper = value.trim().toUpperCase()
  if (regionCodes.has(upper)) return upper
  if (aliases[upper] !== undefined) return aliases[upper]
  if (upper.length !== 2) return undefined
  const near = [...regionCodes].filter((code) => (code[0] === upper[0]) !== (code[1] === upper[1]))
  return near.length === 1 ? near[0] : undefined
}
