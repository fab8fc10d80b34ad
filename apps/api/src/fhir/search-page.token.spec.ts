import { decodePage, encodePage, FIRST_PAGE, nextPage, previousPage } from './search-page.token';

describe('search page tokens', () => {
  it('walk forward and back to the first page', () => {
    const second = nextPage(FIRST_PAGE, 'c2');
    const third = nextPage(second, 'c3');
    expect(decodePage(encodePage(third), undefined)).toEqual(third);
    expect(previousPage(third)).toEqual(second);
    expect(previousPage(second)).toEqual(FIRST_PAGE);
    expect(previousPage(FIRST_PAGE)).toBeUndefined();
    expect(encodePage(FIRST_PAGE)).toBeUndefined();
  });

  it('keep a bounded chain and stop the previous links where it was cut', () => {
    let page = FIRST_PAGE;
    for (let i = 0; i < 25; i++) page = nextPage(page, `c${i}`);
    expect(page.cursors).toHaveLength(20);
    let back = 0;
    for (let p = previousPage(page); p; p = previousPage(p)) back++;
    expect(back).toBe(19);
  });

  it('accept a bare store cursor and refuse a forged token with a 400', () => {
    expect(decodePage(undefined, 'abc')).toEqual({ cursors: ['abc'], truncated: true });
    expect(() => decodePage('not-a-token', undefined)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
