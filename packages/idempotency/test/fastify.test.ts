import { describeDraftCases } from './draft-cases';

describeDraftCases('fastify');
