import { describe, expect, it } from 'vitest';
import { buildCaseMap, canonicalText, contentTerms, matchedTerms, normalizeTerm, sameWord } from '../../src/index/terms.js';

describe('normalizeTerm', () => {
  it('folds case, curly quotes, possessives and inflection to one term', () => {
    expect(['Iran’s', "IRAN'S", 'Irans', 'iran'].map(normalizeTerm)).toEqual(['iran', 'iran', 'iran', 'iran']);
    expect(['negotiations', 'negotiate'].map(normalizeTerm)).toEqual(['negoti', 'negoti']);
  });
});

describe('contentTerms', () => {
  it('drops stopwords and question words, and keeps "3+3" whole', () => {
    expect(contentTerms('What did Reuters report about the 3+3 format?')).toEqual(['reuter', '3+3', 'format']);
  });
});

describe('sameWord', () => {
  it('matches derivations the stemmer leaves apart, but not short or different words', () => {
    expect(sameWord('inspector', 'inspect')).toBe(true);
    expect(sameWord('guarante', 'guarantor')).toBe(true);
    expect(sameWord('iran', 'iranian')).toBe(false);
    expect(sameWord('militari', 'militia')).toBe(false);
  });

  it('counts each query term once in matchedTerms', () => {
    expect(matchedTerms(['inspector', 'freez', 'oil'], ['inspect', 'site', 'freez', 'freez'])).toEqual(new Set(['inspector', 'freez']));
  });
});

describe('canonicalText', () => {
  const caseMap = buildCaseMap(["Azerbaijans position is Iran's view. The position of Azerbaijan", 'Tehran talks']);

  it('gives one text for every casing, punctuation, quote and possessive', () => {
    const forms = ["What is Azerbaijan's position?", 'what is AZERBAIJANS position', 'What is Azerbaijan’s position??'];
    expect(forms.map((q) => canonicalText(q, caseMap))).toEqual(['what is Azerbaijan position', 'what is Azerbaijan position', 'what is Azerbaijan position']);
  });

  it('keeps plurals of common words and lower-cases unknown words', () => {
    expect(canonicalText('TALKS in Paris', caseMap)).toBe('talks in paris');
  });
});
