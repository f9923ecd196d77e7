import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { Type } from '@sinclair/typebox';
import { parseJsonColumn } from '../db/corrupt-row.js';

// The site CA as sealed in site_setting (site_ca).
const StoredCa = Type.Object({ certPem: Type.String(), keyPem: Type.String() });
import type { SecretBox } from './secret-box.js';
import { insertSettingIfAbsent, readSetting } from './repository.js';
import type { Queryable } from '../db/database.js';

// eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- Node's webcrypto is the Web Crypto API @peculiar/x509 wants; the two type declarations of it differ
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface SiteKeys {
  siteCode: string;
  siteName: string;
  caCertPem: string;
  /** Lower-case hex SHA-256 of the CA certificate DER: what enrolment tokens carry. */
  caFingerprint: string;
  policySigningKey: KeyObject;
  policySigningPublicPem: string;
  caKeyPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

async function generateCa(siteCode: string): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=Steward Site ${siteCode} CA, O=Steward`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 20 * 365 * 86400_000),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

function fingerprintOf(certPem: string): string {
  const cert = new x509.X509Certificate(certPem);
  return createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex');
}

/** Inserts when absent and returns what is stored: the first of several racing processes wins. */
export async function settingOrInit(
  db: Queryable,
  key: string,
  make: () => string | Promise<string>,
): Promise<string> {
  const existing = await readSetting(db, key);
  if (existing !== undefined) return existing;
  const value = await make();
  await insertSettingIfAbsent(db, { key, value });
  return (await readSetting(db, key)) ?? value;
}

/** A secret setting: sealed with the site master key before it is written, opened after. */
export async function secretOrInit(
  db: Queryable,
  box: SecretBox,
  key: string,
  make: () => string | Promise<string>,
): Promise<string> {
  return box.open(await settingOrInit(db, key, async () => box.seal(await make())));
}

/**
 * The site's identity, created at first start and kept in the database so that every server
 * process of the site (PostgreSQL scale-out) presents the same CA and signs with the same key.
 * The private keys are stored sealed by `box` (see site-secrets.ts), never in plaintext.
 */
export async function loadOrCreateSiteKeys(
  db: Queryable,
  box: SecretBox,
  opts: { siteCode?: string | undefined; siteName?: string | undefined },
): Promise<SiteKeys> {
  const siteCode = await settingOrInit(db, 'site_code', () => opts.siteCode ?? 'S01');
  const siteName = await settingOrInit(db, 'site_name', () => opts.siteName ?? 'Steward site');
  const caJson = await secretOrInit(db, box, 'site_ca', async () =>
    JSON.stringify(await generateCa(siteCode)),
  );
  const ca = parseJsonColumn(StoredCa, caJson, {
    table: 'site_setting',
    id: 'site_ca',
    column: 'value',
  });
  const signingPem = await secretOrInit(db, box, 'policy_signing_key', () =>
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  const policySigningKey = createPrivateKey(signingPem);
  const { createPublicKey } = await import('node:crypto');
  const policySigningPublicPem = createPublicKey(policySigningKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return {
    siteCode,
    siteName,
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    caFingerprint: fingerprintOf(ca.certPem),
    policySigningKey,
    policySigningPublicPem,
  };
}

/**
 * A server certificate for this process, issued by the site CA. The chain sent to clients
 * includes the CA certificate so that a new agent can find and pin it by fingerprint.
 */
export async function issueServerCertificate(
  keys: SiteKeys,
  names: string[],
): Promise<{ certChainPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(keys.caCertPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    Buffer.from(keys.caKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    ALG,
    false,
    ['sign'],
  );
  const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const unique = [...new Set(names.filter(Boolean))];
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex'),
    subject: `CN=${unique[0] ?? 'localhost'}, O=Steward`,
    issuer: caCert.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 825 * 86400_000),
    signingAlgorithm: ALG,
    publicKey: leafKeys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        unique.map((n) =>
          isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n },
        ),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    certChainPem: cert.toString('pem') + '\n' + keys.caCertPem,
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)),
  };
}
