// Every operation of the PFN Studio API through a client generated from the served OpenAPI document
// (openapi-typescript types, openapi-fetch calls), as the README describes them. Prints one JSON line.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = process.env.PFNSTUDIO_URL!;
const project = "pfnstudio-demo";
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${process.env.PFNSTUDIO_TOKEN}` } });
const path = { project };
const statuses: Record<string, number> = {};

const me = await client.GET("/api/v1/me");
statuses.getMe = me.response.status;
const projects = await client.GET("/api/v1/projects");
statuses.listProjects = projects.response.status;

const prior = new FormData();
prior.append("file", new Blob(["def sample(n):\n    return n\n"], { type: "text/x-python" }), "smooth.py");
const pushedPrior = await client.POST("/api/v1/projects/{project}/priors", {
  params: { path },
  body: prior as unknown as { file: string },
  bodySerializer: (body) => body as unknown as FormData,
});
statuses.pushPrior = pushedPrior.response.status;
statuses.listPriors = (await client.GET("/api/v1/projects/{project}/priors", { params: { path } })).response.status;
const priorVersion = pushedPrior.data?.version ?? 0;
statuses.getPrior = (await client.GET("/api/v1/projects/{project}/priors/{name}/versions/{version}", {
  params: { path: { project, name: "smooth", version: priorVersion } },
})).response.status;

const yaml = "name: smooth\nprior: gp\nkernel: rbf\nlengthscale: 0.5\noutputscale: 1\nnoise: 0.01\n";
const pushedModel = await client.POST("/api/v1/projects/{project}/models", {
  params: { path },
  body: yaml,
  bodySerializer: (body) => body,
  headers: { "Content-Type": "application/yaml" },
});
statuses.pushModel = pushedModel.response.status;
statuses.listModels = (await client.GET("/api/v1/projects/{project}/models", { params: { path } })).response.status;
statuses.getModel = (await client.GET("/api/v1/projects/{project}/models/{name}/versions/{version}", {
  params: { path: { project, name: "smooth", version: pushedModel.data?.version ?? 0 } },
})).response.status;

const predicted = await client.POST("/projects/{project}/runs/v0_1/predict", {
  params: { path },
  body: { model: "smooth", context: { x: [[0], [1]], y: [0, 1] }, query: { x: [[0.5]] } },
});
statuses.predict = predicted.response.status;
const mean = predicted.data?.mean?.[0];

const runs = await client.GET("/api/v1/projects/{project}/runs", { params: { path, query: { limit: 10 } } });
statuses.listRuns = runs.response.status;

console.log(JSON.stringify({ statuses, mean, runs: runs.data?.items?.length, user: me.data?.user?.email }));
