/** Deterministic CSV fixtures for import tests and benches. */

const HUBSPOT_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'contractsent', 'closedwon', 'closedlost'];
const COMPANIES = ['Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Tyrell', 'Soylent'];

/** A HubSpot-style deals export (its column names and stage ids), CRLF line endings like real exports. */
export function hubspotDealsCsv(rows: number, prefix = 'HS'): string {
  const lines = ['Record ID,Deal Name,Amount,Deal Stage,Close Date,Deal owner,Create Date,Associated Company,Pipeline'];
  for (let i = 1; i <= rows; i++) {
    const stage = HUBSPOT_STAGES[i % HUBSPOT_STAGES.length];
    const month = String((i % 12) + 1).padStart(2, '0');
    const day = String((i % 28) + 1).padStart(2, '0');
    const amount = (1000 + ((i * 7919) % 90_000)).toFixed(2);
    const company = COMPANIES[i % COMPANIES.length];
    lines.push(`${prefix}-${i},"Deal ${i}, ${company}",${amount},${stage},2025-${month}-${day},owner${i % 12}@example.com,2024-${month}-${day} 09:30,${company},default`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
