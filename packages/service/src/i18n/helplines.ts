// Help services per country, offered to a child before the profile's own list. Only long-standing
// national services are listed; 116 111 is the harmonised European number for child helplines. The
// policy file's countryHelpResources replaces a country's list.
import type { HelpResource, Policy, PolicyProfile } from '../policy/policy.ts';

const REPORT_REMOVE: HelpResource = {
  id: 'report-remove',
  name: 'Report Remove (IWF and Childline)',
  url: 'https://www.childline.org.uk/remove',
  topics: ['images'],
};
const TAKE_IT_DOWN: HelpResource = {
  id: 'take-it-down',
  name: 'Take It Down (NCMEC)',
  url: 'https://takeitdown.ncmec.org',
  topics: ['images'],
};
const line = (id: string, name: string, url: string, phone: string): HelpResource => ({
  id,
  name,
  url,
  phone,
  topics: ['general', 'images'],
});

export const COUNTRY_HELP: Readonly<Record<string, readonly HelpResource[]>> = {
  GB: [line('childline', 'Childline', 'https://www.childline.org.uk', '0800 1111'), REPORT_REMOVE, TAKE_IT_DOWN],
  IE: [line('childline-ie', 'Childline (ISPCC)', 'https://www.childline.ie', '1800 66 66 66'), TAKE_IT_DOWN],
  US: [
    line('childhelp', 'Childhelp National Child Abuse Hotline', 'https://www.childhelphotline.org', '1-800-422-4453'),
    TAKE_IT_DOWN,
    {
      id: 'cybertipline',
      name: 'NCMEC CyberTipline',
      url: 'https://report.cybertip.org',
      phone: '1-800-843-5678',
      topics: ['report'],
    },
  ],
  DE: [line('nummer-gegen-kummer', 'Nummer gegen Kummer', 'https://www.nummergegenkummer.de', '116 111'), TAKE_IT_DOWN],
  AT: [line('rat-auf-draht', 'Rat auf Draht', 'https://www.rataufdraht.at', '147'), TAKE_IT_DOWN],
  FR: [
    line('allo-119', 'Allô 119 Enfance en danger', 'https://www.allo119.gouv.fr', '119'),
    line('3018', '3018 (e-Enfance)', 'https://www.3018.fr', '3018'),
    TAKE_IT_DOWN,
  ],
  ES: [line('anar', 'Fundación ANAR', 'https://www.anar.org', '900 20 20 10'), TAKE_IT_DOWN],
  BR: [
    line('disque-100', 'Disque 100 (Direitos Humanos)', 'https://www.gov.br/mdh', '100'),
    { id: 'safernet', name: 'SaferNet Brasil', url: 'https://new.safernet.org.br', topics: ['general', 'images'] },
    TAKE_IT_DOWN,
  ],
  IT: [line('telefono-azzurro', 'Telefono Azzurro', 'https://azzurro.it', '19696'), TAKE_IT_DOWN],
  NL: [line('kindertelefoon', 'De Kindertelefoon', 'https://www.kindertelefoon.nl', '0800 0432'), TAKE_IT_DOWN],
  PL: [line('116111-pl', 'Telefon Zaufania dla Dzieci i Młodzieży', 'https://116111.pl', '116 111'), TAKE_IT_DOWN],
};

/** The country's services (policy override, else built-in), then the profile's, each id once. */
export function helpResourcesFor(
  policy: Policy,
  profile: PolicyProfile,
  country: string | null | undefined,
): HelpResource[] {
  const code = country?.toUpperCase();
  const national = code ? (policy.countryHelpResources[code] ?? COUNTRY_HELP[code] ?? []) : [];
  const out: HelpResource[] = [];
  const seen = new Set<string>();
  for (const r of [...national, ...profile.helpResources]) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}
