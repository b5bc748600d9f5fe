// Validation of CyberTipline documents against cybertipline.xsd with libxml2 (xmllint-wasm): the same
// check before Lifeguard sends a report and in the local test server that receives it.
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

const XSD = readFileSync(new URL('./cybertipline.xsd', import.meta.url), 'utf8');
export const SCHEMA_FILE = 'cybertipline.xsd';

export interface SchemaResult {
  valid: boolean;
  /** libxml2's messages, e.g. "Element 'incidentDateTime': 'yesterday' is not a valid value of the atomic type 'xs:dateTime'." */
  errors: string[];
}

export async function validateCyberTiplineXml(xml: string): Promise<SchemaResult> {
  const result = await validateXML({
    xml: [{ fileName: 'document.xml', contents: xml }],
    schema: [{ fileName: SCHEMA_FILE, contents: XSD }],
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.message.trim()) };
}
