// An Automerge sync server on @automerge/automerge-repo 2.x, written from
// its documented API: a Repo with a NodeWSServerAdapter (websockets from the
// `ws` package) and a NodeFSStorageAdapter. Like the published
// @automerge/automerge-repo-sync-server it shares documents only with peers
// that ask for them (sharePolicy false), so 200 boards do not all go to all
// 2,000 connections.
//
//   PORT=3030 DATA_DIR=./data node server.mjs
import fs from "node:fs"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const port = Number(process.env.PORT ?? 3030)
const dir = process.env.DATA_DIR ?? "automerge-repo-data"
fs.mkdirSync(dir, { recursive: true })

const wss = new WebSocketServer({ host: "127.0.0.1", port, maxPayload: 256 << 20 })
const repo = new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `automerge-repo-server-${process.pid}`,
  sharePolicy: async () => false,
})

wss.on("listening", () => console.log(`automerge-repo ${port} ready, data in ${dir}`))

async function stop() {
  // Write what the repo still holds in memory, then go.
  try {
    await repo.flush()
  } catch (e) {
    console.error("flush failed", e)
  }
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
