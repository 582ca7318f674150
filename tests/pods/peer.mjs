// A peer the in-Pod tests run the stack's commands against, started inside a network namespace
// the test made: `node peer.mjs <behaviour> <address> <port>`. Prints "listening" once it accepts.
// Each behaviour is what the real program does on that port, from its source:
import dgram from "node:dgram";
import http from "node:http";
import net from "node:net";

import dnsPacket from "dns-packet";

const [behaviour, address, port, extra] = process.argv.slice(2);

/** go-demo-2's main.go: /demo/hello writes "hello, world!"; /demo/person lists the people as JSON. */
function goDemo2(person) {
    return http.createServer((req, res) => {
        // Go's ServeMux routes by path: a query string does not change the handler.
        const route = new URL(req.url, "http://peer").pathname;
        if (route === "/demo/hello") {
            if (behaviour === "api-hung") return; // the process stopped serving: nothing answers
            res.end("hello, world!\n");
        } else if (route === "/demo/person") {
            person(req, res);
        } else {
            res.statusCode = 404;
            res.end();
        }
    });
}

const behaviours = {
    // mongod 3.2–3.4 (util/net/message_port.cpp) and 4.0–5.0 (checkForHTTPRequest): an HTTP
    // request on the driver port gets a short HTTP/1.0 200 text, then the connection closes.
    "mongod-http": () =>
        net.createServer((s) =>
            s.once("data", () =>
                s.end("HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n" +
                    "It looks like you are trying to access MongoDB over HTTP on the native driver port.\r\n"),
            ),
        ),
    // mongod 3.6 (transport/ticket_asio.cpp, _headerCallback): "GET " read as a message length is
    // out of range, and the connection is closed without an answer.
    "mongod-3.6": () => net.createServer((s) => s.once("data", () => s.destroy())),
    "api-healthy": () => goDemo2((req, res) => res.end("[]\n")),
    // A wedged mgo session fails the query at once; go-demo-2 panics in the handler, and net/http
    // recovers the panic by closing the connection without a response.
    "api-wedged-errors": () => goDemo2((req) => req.socket.destroy()),
    // The query waits on a socket to a MongoDB that is gone (mgo's socket timeout is 1 minute).
    "api-wedged-hangs": () => goDemo2(() => {}),
    // A big collection: the answer comes, later than the liveness waits for it.
    "api-slow": () => goDemo2((req, res) => setTimeout(() => res.end("[]\n"), 5000)),
    "api-hung": () => goDemo2(() => {}),
    // main.go's PersonServer: PUT upserts the person named by ?name=; any other method lists the
    // names, joined by newlines.
    "api-people": () => {
        const people = new Set();
        return goDemo2((req, res) => {
            if (req.method === "PUT") {
                people.add(new URL(req.url, "http://x").searchParams.get("name"));
                res.end("Everything is OK");
            } else {
                res.end([...people].join("\n"));
            }
        });
    },
    // A name server, as a cluster's DNS answers for Services: `extra` is JSON of name → {A} or
    // {CNAME} (an ExternalName Service); any other name is NXDOMAIN.
    dns: () => {
        const records = JSON.parse(extra);
        const socket = dgram.createSocket("udp4");
        socket.on("message", (message, from) => {
            const query = dnsPacket.decode(message);
            const question = query.questions[0];
            const record = records[question.name];
            const answers = [];
            if (record?.CNAME) {
                answers.push({ type: "CNAME", name: question.name, ttl: 5, data: record.CNAME });
            } else if (record?.A && question.type === "A") {
                answers.push({ type: "A", name: question.name, ttl: 5, data: record.A });
            }
            const response = dnsPacket.encode({
                type: "response",
                id: query.id,
                flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (record ? 0 : 3), // 3: NXDOMAIN
                questions: query.questions,
                answers,
            });
            socket.send(response, from.port, from.address);
        });
        return { listen: (p, a, ready) => socket.bind(Number(p), a, ready) };
    },
};

const make = behaviours[behaviour];
if (!make) {
    console.error(`unknown behaviour ${behaviour}; one of ${Object.keys(behaviours).join(", ")}`);
    process.exit(2);
}
make().listen(Number(port), address, () => console.log("listening"));
