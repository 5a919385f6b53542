// A loopback webhook receiver in its own process: reads each body, answers 200 after `delayMs`
// (a stand-in for a real endpoint's processing time). Prints {url}; stdin `count` → {batches, bytes}.
import { createServer } from "node:http"
import { createInterface } from "node:readline"

const delayMs = Number(process.argv[2] ?? "0")
let batches = 0
let bytes = 0
const server = createServer((req, res) => {
  req.on("data", (chunk) => (bytes += chunk.length))
  req.on("end", () => {
    batches++
    const answer = () => res.writeHead(200, { "content-type": "application/json" }).end("{}")
    if (delayMs > 0) setTimeout(answer, delayMs)
    else answer()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/hook` }) + "\n"))
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "count") process.stdout.write(JSON.stringify({ batches, bytes }) + "\n")
  else if (line.trim() === "stop") break
}
server.close()
server.closeAllConnections()
process.exit(0)
