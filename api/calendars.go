package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// routeCalendars registers the business-hours calendars: admins write,
// managers read (service/calendars.go).
func (s *Server) routeCalendars(v1 fiber.Router) {
	staff, admin := s.gate(service.GateStaff), s.gate(service.GateAdmin)
	v1.Post("/calendars", admin, s.createCalendar)
	v1.Get("/calendars", staff, s.listCalendars)
	v1.Get("/calendars/:id", staff, s.getCalendar)
	v1.Patch("/calendars/:id", admin, s.patchCalendar)
	v1.Get("/calendars/:id/versions", staff, s.calendarVersions)
	v1.Post("/calendars/:id/ics", admin, s.importCalendarICS)
}

func (s *Server) createCalendar(c *fiber.Ctx) error {
	var b service.CalendarChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	cal, err := s.svc.CreateCalendar(c.UserContext(), httpx.Caller(c), idempotencyKey(c), b)
	if err != nil {
		return err
	}
	c.Location("/api/v1/calendars/" + cal.ID)
	return c.Status(fiber.StatusCreated).JSON(cal)
}

func (s *Server) listCalendars(c *fiber.Ctx) error {
	items, err := s.svc.Calendars(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

func (s *Server) getCalendar(c *fiber.Ctx) error {
	cal, err := s.svc.Calendar(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(cal)
}

func (s *Server) patchCalendar(c *fiber.Ctx) error {
	var b service.CalendarChange
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	cal, err := s.svc.UpdateCalendar(c.UserContext(), httpx.Caller(c), c.Params("id"), b)
	if err != nil {
		return err
	}
	return c.JSON(cal)
}

func (s *Server) calendarVersions(c *fiber.Ctx) error {
	items, err := s.svc.CalendarVersions(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(httpx.Page(items, ""))
}

// importCalendarICS adds the holidays and worked days of the iCalendar
// file in the body (text/calendar) to the calendar.
func (s *Server) importCalendarICS(c *fiber.Ctx) error {
	cal, err := s.svc.ImportCalendarDays(c.UserContext(), httpx.Caller(c), c.Params("id"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(cal)
}
