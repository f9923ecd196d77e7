import type { AdvisoryFormat } from '@steward/protocol';
import { parseDebianTracker } from './debian-tracker.js';
import { parseDsaList } from './dsa-list.js';
import { parseOsv } from './osv.js';
import { AdvisoryFormatError, type ParsedFeed } from './parsed.js';
import { parseUsnDatabase } from './usn.js';
import { readZip } from './zip.js';

/** A feed's bytes in the format named, parsed whole before anything is written. */
export function parseFeed(format: AdvisoryFormat, bytes: Buffer): ParsedFeed {
  switch (format) {
    case 'debian-tracker':
      return parseDebianTracker(bytes.toString('utf8'));
    case 'dsa-list':
      return parseDsaList(bytes.toString('utf8'), 'dsa');
    case 'dla-list':
      return parseDsaList(bytes.toString('utf8'), 'dla');
    case 'usn':
      return parseUsnDatabase(bytes.toString('utf8'));
    case 'osv': {
      // A zip (PK\x03\x04) of record files, or JSON: one record or an array.
      if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
        const files = readZip(bytes).filter((f) => f.name.endsWith('.json'));
        if (files.length === 0) throw new AdvisoryFormatError('zip: no .json OSV records');
        return parseOsv(files.map((f) => ({ name: f.name, text: f.data.toString('utf8') })));
      }
      return parseOsv([{ name: 'the OSV record', text: bytes.toString('utf8') }]);
    }
  }
}
