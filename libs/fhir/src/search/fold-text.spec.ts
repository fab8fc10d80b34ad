import { foldText } from './fold-text';

describe('foldText', () => {
  it.each([
    ['Zoë', 'zoe'],
    ['ZOË', 'zoe'],
    ['Strauß', 'strauss'],
    ['Ærøskøbing', 'aeroskobing'],
    ['Łódź', 'lodz'],
    ['Ñúñez  de   Balboa', 'nunez de balboa'],
    ['ﬁnance', 'finance'],
    ['Þórr', 'thorr'],
    ['  Siân ', 'sian'],
    ['O’Brien', 'o’brien'],
  ])('%s → %s', (text, folded) => expect(foldText(text)).toBe(folded));
});
