/** Reads JSON-lines watch events from a streaming fetch response until `count` arrived or the stream ended; then cancels it. */
export async function readEvents(res: Response, count: number): Promise<any[]> {
  const events: any[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) events.push(JSON.parse(line));
    }
  }
  await reader.cancel();
  return events;
}
