# leadflow: one static binary; the same image runs `api`, `worker` and `migrate`.
# It is the slim build (-tags slim): without `dev`, `temporal` and `bench`,
# which link the Temporal server, each process keeps a smaller resident set
# (BENCHMARKS.md, "Scale-out"). Temporal itself runs from its own chart.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The worker's build id under Worker Versioning (docs/upgrading.md): .git is
# not in the context, so pass it: docker build --build-arg BUILD_ID=$(git rev-parse --short=12 HEAD) .
ARG BUILD_ID=""
RUN CGO_ENABLED=0 go build -tags slim -trimpath -ldflags="-s -w -X github.com/leadflow/leadflow/worker.buildID=${BUILD_ID}" -o /out/leadflow ./cmd/leadflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadflow /usr/local/bin/leadflow
ENV LEADFLOW_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/usr/local/bin/leadflow"]
CMD ["api"]
