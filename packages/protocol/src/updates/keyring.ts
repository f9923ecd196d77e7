/**
 * OpenPGP public keyrings as update sources take them (apt's Signed-By). Administrators hold them
 * either ASCII-armoured (`gpg --export --armor`, `*.asc`) or binary (`/usr/share/keyrings/*.gpg`);
 * the API carries the armoured form (text in JSON) and gpgv needs the binary one. Both ways here,
 * so the CLI and the server agree (RFC 4880 section 6).
 */

const BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----';
const END = '-----END PGP PUBLIC KEY BLOCK-----';

function crc24(bytes: Uint8Array): number {
  let crc = 0xb704ce;
  for (const b of bytes) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** True when the bytes begin with an OpenPGP public-key packet (tag 6), as a keyring does. */
export function startsWithPublicKey(bytes: Uint8Array): boolean {
  const first = bytes[0];
  if (first === undefined || (first & 0x80) === 0) return false;
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  return tag === 6;
}

/** The armoured form of a binary keyring. */
export function armorKeyring(bytes: Uint8Array): string {
  const b64 = toBase64(bytes);
  const lines = b64.match(/.{1,64}/g) ?? [];
  const sum = crc24(bytes);
  const crc = toBase64(new Uint8Array([(sum >> 16) & 0xff, (sum >> 8) & 0xff, sum & 0xff]));
  return `${BEGIN}\n\n${lines.join('\n')}\n=${crc}\n${END}\n`;
}

/**
 * The binary keyring in an armoured one, or a reason it is not one: one public key block,
 * base64 inside, checksum right when present, and a public-key packet first.
 */
export function dearmorKeyring(text: string): { bytes: Uint8Array } | { error: string } {
  const lines = text.replace(/\r/g, '').split('\n');
  const begin = lines.findIndex((l) => l.trim() === BEGIN);
  const end = lines.findIndex((l) => l.trim() === END);
  if (begin < 0 || end < begin) return { error: `not an armoured public key block (${BEGIN})` };
  let i = begin + 1;
  // Armour headers ("Comment: ...") up to the first blank line.
  while (i < end && (lines[i] ?? '').trim() !== '' && (lines[i] ?? '').includes(':')) i++;
  const body: string[] = [];
  let checksum: string | undefined;
  for (; i < end; i++) {
    const l = (lines[i] ?? '').trim();
    if (l === '') continue;
    if (l.startsWith('=') && l.length === 5) checksum = l.slice(1);
    else body.push(l);
  }
  const bytes = fromBase64(body.join(''));
  if (!bytes || bytes.length === 0) return { error: 'the key block is not valid base64' };
  if (checksum !== undefined) {
    const sum = crc24(bytes);
    const want = toBase64(new Uint8Array([(sum >> 16) & 0xff, (sum >> 8) & 0xff, sum & 0xff]));
    if (want !== checksum) return { error: 'the key block checksum does not match' };
  }
  if (!startsWithPublicKey(bytes)) return { error: 'the key block holds no public key' };
  return { bytes };
}
