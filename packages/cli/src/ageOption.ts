// `--age NAME=AGE`: the ages an export does not carry, declared by whoever reads it.
export function parseAgeOption(value: string): [string, number] {
  const at = value.lastIndexOf('=');
  const name = at > 0 ? value.slice(0, at).trim() : '';
  const age = Number(value.slice(at + 1));
  if (at <= 0 || name === '' || !/^\d{1,3}$/.test(value.slice(at + 1).trim()) || age > 130) {
    throw new Error(
      `--age wants NAME=AGE with the name as the export writes it and a whole number of years, e.g. --age "Sam Lee=13"; got "${value}"`,
    );
  }
  return [name, age];
}
