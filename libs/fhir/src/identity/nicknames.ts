import { foldText } from '../search/fold-text';

/**
 * Given names and the familiar forms people are registered under in another service ("Bob" at the GP, "Robert" at
 * the hospital). Each line is one formal name and its familiar forms; a form may belong to several formal names
 * (Alex: Alexander and Alexandra), and two forms of one formal name are equivalent to each other (Bob and Rob).
 *
 * Source: written for Continuum from well-known diminutives; not exhaustive, and deliberately small. English forms,
 * plus Polish diminutives and Yoruba and Igbo short forms (a name without its Oluwa-/Olu-/Chukwu- prefix), because
 * those are common in the communities the record serves and Jaro–Winkler, which rewards shared beginnings, misses
 * them. A fuller public list (e.g. the nickname lookup of Old Dominion University's Web Science and Digital
 * Libraries group, github.com/carltonnorthern/nicknames) could replace it; the comparison treats it as data.
 */
const FAMILIAR_FORMS: Record<string, string[]> = {
  // English
  abigail: ['abby', 'abbie', 'gail'],
  albert: ['al', 'bert', 'bertie'],
  alexander: ['alex', 'alec', 'sandy', 'sasha', 'xander'],
  alexandra: ['alex', 'sandra', 'sandy', 'sasha', 'lexi'],
  andrew: ['andy', 'drew'],
  anne: ['ann', 'annie', 'nancy', 'anna'],
  anthony: ['tony', 'ant'],
  barbara: ['barb', 'babs', 'basia'],
  benjamin: ['ben', 'benny', 'benji'],
  catherine: ['cathy', 'cath', 'kate', 'katie', 'kathy', 'kitty', 'cate', 'katherine', 'kathryn'],
  charles: ['charlie', 'chas', 'chuck', 'chaz'],
  christina: ['chris', 'tina', 'chrissie', 'christine'],
  christopher: ['chris', 'kit', 'topher'],
  daniel: ['dan', 'danny'],
  david: ['dave', 'davy', 'davey'],
  deborah: ['debbie', 'deb', 'debra'],
  dorothy: ['dot', 'dottie', 'dolly', 'dora'],
  edward: ['ed', 'eddie', 'ted', 'teddy', 'ned'],
  eleanor: ['ellie', 'nell', 'nora', 'elly'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'bess', 'bessie', 'eliza', 'elsie', 'libby', 'lisa', 'betsy'],
  florence: ['flo', 'florrie', 'flossie'],
  frances: ['fran', 'fanny', 'frankie'],
  francis: ['frank', 'frankie', 'fran'],
  frederick: ['fred', 'freddie', 'freddy'],
  gerald: ['gerry', 'jerry'],
  harold: ['harry', 'hal'],
  helen: ['nell', 'nellie'],
  henry: ['harry', 'hal', 'hank'],
  jacqueline: ['jackie', 'jacqui'],
  james: ['jim', 'jimmy', 'jamie', 'jimmie'],
  jennifer: ['jenny', 'jen', 'jenni'],
  john: ['jack', 'johnny', 'jon'],
  joseph: ['joe', 'joey'],
  josephine: ['jo', 'josie', 'jo-jo'],
  kenneth: ['ken', 'kenny'],
  lawrence: ['larry', 'laurie', 'laurence'],
  leonard: ['len', 'lenny', 'leo'],
  margaret: ['peggy', 'maggie', 'meg', 'madge', 'greta', 'maisie', 'marge', 'margie'],
  mary: ['molly', 'polly', 'mae', 'mamie'],
  matthew: ['matt', 'matty'],
  michael: ['mike', 'mick', 'mickey', 'mikey'],
  nicholas: ['nick', 'nicky', 'nico'],
  patricia: ['pat', 'patsy', 'trish', 'tricia', 'patty'],
  patrick: ['pat', 'paddy'],
  peter: ['pete'],
  philip: ['phil', 'pip'],
  raymond: ['ray'],
  rebecca: ['becky', 'becca', 'bex'],
  richard: ['rich', 'richie', 'rick', 'ricky', 'dick'],
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert', 'robin'],
  ronald: ['ron', 'ronnie'],
  samuel: ['sam', 'sammy'],
  sarah: ['sally', 'sadie', 'sara'],
  stephen: ['steve', 'stevie', 'steven'],
  susan: ['sue', 'susie', 'suzy'],
  terence: ['terry', 'tel'],
  thomas: ['tom', 'tommy'],
  timothy: ['tim', 'timmy'],
  victoria: ['vicky', 'vicki', 'tori'],
  william: ['bill', 'billy', 'will', 'willie', 'liam'],
  // Polish
  aleksandra: ['ola', 'olek'],
  jakub: ['kuba'],
  katarzyna: ['kasia'],
  malgorzata: ['gosia', 'malgosia'],
  stanislaw: ['stas', 'stasiek'],
  tomasz: ['tomek'],
  wojciech: ['wojtek'],
  zofia: ['zosia'],
  // Yoruba and Igbo: the name without its prefix
  babatunde: ['tunde'],
  chukwuemeka: ['emeka'],
  oluwafemi: ['femi'],
  oluwakemi: ['kemi'],
  oluwaseun: ['seun'],
  oluwatosin: ['tosin'],
  olufunmilayo: ['funmi', 'funmilayo'],
  adebayo: ['bayo'],
};

/** Folded name → the ids of the formal names it belongs to (a formal name is its own form). */
const GROUPS = new Map<string, number[]>();
Object.entries(FAMILIAR_FORMS).forEach(([formal, forms], id) => {
  for (const name of [formal, ...forms].map((form) => foldText(form).replace(/[^a-z]/g, ''))) {
    const groups = GROUPS.get(name) ?? [];
    if (!groups.includes(id)) groups.push(id);
    GROUPS.set(name, groups);
  }
});

const NONE: readonly number[] = Object.freeze([]);
const FORMAL_NAMES = Object.keys(FAMILIAR_FORMS);

/** The formal-name groups a folded given name belongs to (empty when the table does not know it). */
export function nicknameGroups(foldedName: string): readonly number[] {
  return GROUPS.get(foldedName) ?? NONE;
}

/**
 * The formal names a folded given name is a form of ("bob" → ["robert"], "robert" → ["robert"]): stable keys for a
 * search index (the group ids change when the table does).
 */
export function formalNamesOf(foldedName: string): string[] {
  return nicknameGroups(foldedName).map((id) => FORMAL_NAMES[id]);
}

/** Whether two folded given names are forms of one formal name ("bob" and "robert", "bob" and "rob"). */
export function areNicknameEquivalents(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (a[i] === b[j]) return true;
  return false;
}
