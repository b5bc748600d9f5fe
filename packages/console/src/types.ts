// Shapes of the console API, declared once beside the routes that serve them (the service's
// console/wire.ts, which imports nothing). Type-only: no server code enters the bundle.
export type {
  Actor,
  AuditEntry,
  CaseDetail,
  Conversation,
  LadderStep,
  MatchedFrame,
  MediaItem,
  MediaMatch,
  Message,
  Person,
  QueueItem,
  QueuePage,
  QueueView,
  Role,
  Session,
  Span,
  StaffMember,
  StaffUser,
  TimelinePoint,
} from '@lifeguard/service/console-wire';
