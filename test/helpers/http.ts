/** Parses a JSON response body for assertions (tests inspect arbitrary shapes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(response: Response): Promise<any> {
  return response.json();
}
