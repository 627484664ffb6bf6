/**
 * A CSV file streamed as it is made (the audit log's export, over the API and from the console).
 * The first line is read before answering, so a refusal (not an admin) is thrown as an error the
 * door turns into its usual answer, not a broken download.
 */
export async function csvDownload(lines: AsyncGenerator<string>, filename: string): Promise<Response> {
  const first = await lines.next();
  return new Response(streamOf(first.done ? [] : [first.value], lines), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" },
  });
}

/** A text stream of `head`, then what `rest` yields. */
function streamOf(head: string[], rest: AsyncIterator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pending = [...head];
  return new ReadableStream({
    async pull(controller) {
      const next = pending.length ? { done: false, value: pending.shift()! } : await rest.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await rest.return?.(undefined);
    },
  });
}
