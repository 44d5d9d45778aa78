/**
 * The workflow a new file starts from: valid as it is (a unit test validates it with the core),
 * runnable offline, and showing the shape of a workflow: inputs, steps, an expression, outputs.
 */
export function workflowTemplate(name: string): string {
  return `# ${name}: describe what this workflow does.
name: ${name}
description: Greets someone.
inputs:
  who:
    type: string
    description: Who to greet.
steps:
  - id: greet
    transform: \${{ "Hello, " & inputs.who & "!" }}
outputs:
  greeting: \${{ steps.greet.output }}
`;
}
