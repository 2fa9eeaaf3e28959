/**
 * fetch for the LLM client with a cap on the response body: a hostile or broken server that sends
 * gigabytes fails the call once the cap is passed, instead of filling the search process's memory.
 * The body is read in chunks and handed on whole (the client parses JSON from it).
 */
export function boundedFetch(maxBytes: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new Error(`the server's answer is ${declared} bytes, over the ${maxBytes} an LLM response may have`);
    }
    if (!res.body) return res;
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new Error(`the server's answer passed ${maxBytes} bytes; an LLM response may have no more`);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.byteLength;
    }
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
