// Test-time only. Reads a JSON list of simulations on stdin, writes one result per line:
// {"result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied", "ignored": [keys]} or
// {"error": "..."}. Strict mode: the request context is exactly what the test gives, less the
// keys the action does not take, which it drops and lists in "ignored" (the tests assert there
// are none: a dropped key would make the answer about another request).
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const simulations = JSON.parse(Buffer.concat(chunks).toString('utf8'))
for (const simulation of simulations) {
  try {
    const response = await runSimulation(simulation, { simulationMode: 'Strict' })
    if (response.resultType === 'error') {
      process.stdout.write(JSON.stringify({ error: JSON.stringify(response.errors) }) + '\n')
    } else {
      const ignored = response.result?.ignoredContextKeys ?? []
      process.stdout.write(JSON.stringify({ result: response.overallResult, ignored }) + '\n')
    }
  } catch (exc) {
    process.stdout.write(JSON.stringify({ error: String(exc) }) + '\n')
  }
}
