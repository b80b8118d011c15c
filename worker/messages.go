package worker

import (
	"context"
	"time"

	"github.com/leadflow/leadflow/workflows"
)

// unstartedAfter is how long a queued message may wait for the API to
// start its workflow before the pump starts it.
const unstartedAfter = 10 * time.Second

// messages starts the workflow of every queued message to a lead whose
// start was not recorded: the API stored it but could not reach Temporal,
// or died before it started it. A start is once per message
// (workflows.StartMessage), so racing the API's does no harm.
func (p *pump) messages(ctx context.Context) error {
	keys, err := p.db.UnstartedMessages(ctx, pumpBatch, unstartedAfter)
	for _, key := range keys {
		if err != nil {
			return err
		}
		if err = workflows.StartMessage(ctx, p.tc, key); err == nil {
			err = p.db.MessageStarted(ctx, key)
		}
	}
	if err != nil {
		return err
	}
	return p.sequences(ctx)
}
